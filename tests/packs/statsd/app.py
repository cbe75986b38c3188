# expect: service_metrics_exported
import statsd
client = statsd.StatsClient("localhost", 8125)
