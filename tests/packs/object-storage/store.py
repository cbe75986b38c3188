# expect: data_remote_storage_configured
import boto3
s3 = boto3.client("s3", endpoint_url="http://minio:9000")
s3.put_object(Bucket="images", Key="batch-1/0001.png", Body=b"")
