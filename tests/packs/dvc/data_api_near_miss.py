# ok: data_assets_versioned
# the working copy's file, at no revision: DVC's API used as a plain reader
import dvc.api

text = dvc.api.read("data/train.csv")
