# ok: ci_configured
from aws_cdk import aws_s3
aws_s3.Bucket(stack, "Data")
