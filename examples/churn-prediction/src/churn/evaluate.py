"""Evaluate the candidate on the hold-out month against a majority-class baseline."""

from __future__ import annotations

import json
import sys

import joblib
import pandas as pd
import yaml
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score

from churn.features import build_features


def main() -> int:
    with open("params.yaml") as fh:
        params = yaml.safe_load(fh)["evaluate"]
    holdout = pd.read_parquet("data/features/holdout.parquet")
    x, y = build_features(holdout), holdout["churned"]
    model = joblib.load("models/model.joblib")
    baseline = DummyClassifier(strategy="prior").fit(x, y)
    auc = roc_auc_score(y, model.predict_proba(x)[:, 1])
    baseline_auc = roc_auc_score(y, baseline.predict_proba(x)[:, 1])
    with open("reports/metrics.json", "w") as fh:
        json.dump({"auc": auc, "baseline_auc": baseline_auc}, fh, indent=2)
    if auc < params["min_auc"] or auc - baseline_auc < params["min_gain_over_baseline"]:
        print(f"candidate rejected: auc={auc:.3f}, baseline={baseline_auc:.3f}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
