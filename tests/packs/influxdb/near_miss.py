# ok: service_metrics_exported
from influxdb_client import InfluxDBClient
client = InfluxDBClient(url="http://influxdb:8086", token="t", org="ml")
tables = client.query_api().query('from(bucket:"inference") |> range(start: -1h)')
