"""Serve churn scores over HTTP."""

from __future__ import annotations

import logging
import os

import joblib
import pandas as pd
from fastapi import FastAPI
from prometheus_fastapi_instrumentator import Instrumentator
from pydantic import BaseModel

from churn.features import build_features

logger = logging.getLogger("churn.serve")
MODEL_VERSION = os.environ.get("MODEL_VERSION", "dev")
model = joblib.load(os.environ.get("MODEL_PATH", "models/model.joblib"))
app = FastAPI(title="churn-scoring")
Instrumentator().instrument(app).expose(app)


class Customer(BaseModel):
    customer_id: str
    tenure_months: int
    plan: str
    monthly_charges: float
    support_tickets: int


@app.post("/score")
def score(customer: Customer) -> dict[str, float | str]:
    features = build_features(pd.DataFrame([customer.model_dump()]))
    risk = float(model.predict_proba(features)[0, 1])
    logger.info("prediction", extra={"customer_id": customer.customer_id, "risk": risk,
                                     "model_version": MODEL_VERSION})
    return {"customer_id": customer.customer_id, "churn_risk": risk}
