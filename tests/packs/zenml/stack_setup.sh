#!/bin/sh
# expect: data_remote_storage_configured
zenml artifact-store register prod_store -f s3 --path=s3://team-zenml-artifacts
zenml stack register prod -a prod_store -o default
