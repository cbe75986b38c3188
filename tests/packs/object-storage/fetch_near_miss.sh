#!/bin/sh
# ok: data_remote_storage_configured
# results and a model go to a bucket; the model comes back: neither is a data source
aws s3 cp outputs/ s3://team-results/run-1/ --recursive
aws s3 cp s3://team-models/churn/model.pkl model.pkl
aws s3 cp s3://team-config/research.key ~/.ssh/research.key
