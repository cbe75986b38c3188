# expect: data_assets_versioned
import dvc.api

url = dvc.api.get_url("data/train.csv", repo="https://example.com/team/data.git", rev="v2")
with dvc.api.open("data/labels.csv", rev="v2") as f:
    labels = f.read()
