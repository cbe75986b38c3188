# ok: data_remote_storage_configured
# a serving app fetches its model files from a bucket at start-up and loads one: the bucket
# keeps the model, not the team's data
import joblib
from flask import Flask
from google.cloud import storage

app = Flask(__name__)
FILES = {"scaler": "scaler.pkl", "model": "rf_model.pkl"}


def download() -> None:
    bucket = storage.Client().bucket("team-models")
    for name in FILES.values():
        bucket.blob(f"model/{name}").download_to_filename(name)


download()
model = joblib.load("rf_model.pkl")
