# expect: data_remote_storage_configured
from azureml.core import Dataset, Datastore, Workspace

ws = Workspace.from_config()
store = Datastore.get(ws, datastore_name="warehouse")
accounts = Dataset.Tabular.from_sql_query((store, "select * from accounts"))
