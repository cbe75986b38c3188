# ok: warehouse_data_used
import pandas as pd

# spark.table("main.sales.orders") once held these; now a local file
orders = pd.read_table("data/orders.tsv")
summary = orders.describe()
