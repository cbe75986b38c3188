# expect: data_remote_storage_configured
# near the serving app above, but it trains: what it reads from the bucket is data, even
# though the only file it names is the model it writes back
import joblib
import pandas as pd
from google.cloud import storage
from sklearn.linear_model import LogisticRegression

bucket = storage.Client().bucket("team-data")
bucket.blob("churn/latest").download_to_filename("latest")
frame = pd.read_parquet("latest")
model = LogisticRegression().fit(frame.drop(columns="y"), frame["y"])
joblib.dump(model, "model.pkl")
old = joblib.load("model.pkl")
