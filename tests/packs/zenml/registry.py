# expect: model_registry_used
from zenml import Model
churn = Model(name="churn", version="production")
