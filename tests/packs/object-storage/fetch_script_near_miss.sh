#!/bin/sh
# ok: data_remote_storage_configured
# a script a person runs to sync a folder with a bucket: not what every run does
aws s3 sync s3://team-data/inputs inputs
