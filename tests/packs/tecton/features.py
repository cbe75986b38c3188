# expect: feature_store_used
from tecton import Entity
user = Entity(name="user", join_keys=["user_id"])
