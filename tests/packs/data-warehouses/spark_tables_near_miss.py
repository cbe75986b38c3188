# ok: warehouse_data_used
import pandas as pd

# spark.table("main.sales.orders") once held these; now a local file
orders = pd.read_table("data/orders.tsv")
summary = orders.describe()

# a temporary view of a local file, read back by its bare name
from pyspark.sql import SparkSession

spark = SparkSession.builder.master("local[*]").getOrCreate()
spark.read.csv("data/iris.csv", header=True).createOrReplaceTempView("iris")
iris = spark.table("iris")
