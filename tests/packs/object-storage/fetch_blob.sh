#!/bin/sh
# expect: data_remote_storage_configured
az storage blob directory download -c "$CONTAINER" --account-name "$ACCOUNT" -s images/ -d . --recursive
