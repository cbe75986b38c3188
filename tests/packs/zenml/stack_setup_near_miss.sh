#!/bin/sh
# ok: data_remote_storage_configured
# a local artefact store: the outputs stay on this machine
zenml artifact-store register local_store -f local --path=/tmp/zenml
