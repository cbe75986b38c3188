#!/bin/sh
# ok: data_remote_storage_configured
az storage blob directory upload -c "$CONTAINER" --account-name "$ACCOUNT" -s outputs/ -d runs
gsutil cp report.html gs://team-reports/
