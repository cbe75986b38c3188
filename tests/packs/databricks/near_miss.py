# ok: alert_rules_defined
from databricks.sdk import WorkspaceClient
WorkspaceClient().alerts.list()
