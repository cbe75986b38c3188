# expect: data_remote_storage_configured
# near the serving app too: it loads a model, and the files it fetches include data
import joblib
import boto3

s3 = boto3.client("s3")
s3.download_file("team-data", "scoring/input.csv", "input.csv")
s3.download_file("team-models", "churn/model.joblib", "model.joblib")
model = joblib.load("model.joblib")
