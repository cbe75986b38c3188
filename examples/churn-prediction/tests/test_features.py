import pandas as pd

from churn.features import build_features


def test_plan_codes_and_buckets() -> None:
    frame = pd.DataFrame({"tenure_months": [1, 20], "monthly_charges": [9.0, 50.0],
                          "support_tickets": [0, 2], "plan": ["basic", "premium"]})
    out = build_features(frame)
    assert out["plan_code"].tolist() == [0, 2]
    assert out["tenure_bucket"].tolist() == [0, 2]
    assert not out.isna().any().any()
    assert out["tenure_bucket"].between(0, 3).all()
