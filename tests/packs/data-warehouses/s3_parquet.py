# expect: data_remote_storage_configured
import awswrangler as wr


def sample(url: str):
    return wr.s3.read_parquet(path=url, dataset=True).sample(frac=0.1, random_state=7)
