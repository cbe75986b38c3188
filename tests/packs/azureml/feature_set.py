# expect: feature_store_used
from azure.ai.ml import MLClient
from azure.ai.ml.entities import FeatureSet, FeatureSetSpecification

client = MLClient.from_config()
transactions = FeatureSet(
    name="transactions",
    version="1",
    entities=["azureml:account:1"],
    specification=FeatureSetSpecification(path="featuresets/transactions/spec"),
)
client.feature_sets.begin_create_or_update(transactions).result()
