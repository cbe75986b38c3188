# expect: alert_rules_defined
from databricks.sdk import WorkspaceClient
w = WorkspaceClient()
w.alerts.create(alert=alert)
