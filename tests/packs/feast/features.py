# expect: feature_store_used
from feast import Entity, FeatureView
customer = Entity(name="customer", join_keys=["customer_id"])
