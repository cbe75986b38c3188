# expect: warehouse_data_used
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
orders = spark.table("main.sales.orders")
features = orders.groupBy("customer_id").count()
features.write.format("delta").mode("overwrite").saveAsTable("main.ml.customer_features")
