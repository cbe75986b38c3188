# ok: pipeline_defined
from dagster import get_dagster_logger
get_dagster_logger().info("hello")
