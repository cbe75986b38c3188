#!/bin/sh
# expect: data_remote_storage_configured
aws s3 sync --quiet s3://team-data/churn/ data/
