"""Feature engineering shared by training and serving."""

from __future__ import annotations

import pandas as pd

FEATURES = ["tenure_months", "monthly_charges", "support_tickets", "plan_code", "tenure_bucket"]
PLAN_CODES = {"basic": 0, "standard": 1, "premium": 2}


def build_features(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["plan_code"] = out["plan"].map(PLAN_CODES).fillna(-1).astype(int)
    out["tenure_bucket"] = pd.cut(out["tenure_months"], bins=[-1, 3, 12, 36, 10_000],
                                  labels=False)
    return out[FEATURES]


def split_by_month(frame: pd.DataFrame, holdout_month: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    month = frame["snapshot_date"].dt.strftime("%Y-%m")
    return frame[month < holdout_month], frame[month == holdout_month]
