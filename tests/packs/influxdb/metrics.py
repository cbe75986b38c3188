# expect: service_metrics_exported
from influxdb_client import InfluxDBClient, Point
client = InfluxDBClient(url="http://influxdb:8086", token="t", org="ml")
client.write_api().write(bucket="inference", record=Point("prediction").field("error", 0.2))
