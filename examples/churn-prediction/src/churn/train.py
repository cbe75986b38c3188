"""Train the churn classifier and register it in MLflow."""

from __future__ import annotations

import random

import joblib
import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
import yaml
from sklearn.ensemble import HistGradientBoostingClassifier

from churn.features import build_features


def main() -> None:
    with open("params.yaml") as fh:
        params = yaml.safe_load(fh)
    random.seed(params["seed"])
    np.random.seed(params["seed"])

    train = pd.read_parquet("data/features/train.parquet")
    mlflow.set_experiment("churn")
    with mlflow.start_run():
        mlflow.log_params(params["train"])
        model = HistGradientBoostingClassifier(random_state=params["seed"], **params["train"])
        model.fit(build_features(train), train["churned"])
        joblib.dump(model, "models/model.joblib")
        mlflow.sklearn.log_model(model, "model", registered_model_name="churn-classifier")


if __name__ == "__main__":
    main()
