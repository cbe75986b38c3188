# expect: warehouse_data_used
import pandas as pd

QUERY = "SELECT * FROM analytics.fct_orders WHERE order_date >= '2024-01-01'"


def training_frame() -> pd.DataFrame:
    return pd.read_gbq(QUERY, project_id="shop-analytics").dropna()
