# ok: model_registry_used
# the team's own helper of the same name, with no Azure ML (nor any registry) behind it
from churn.storage import LocalShelf

LocalShelf("models/").register_model(model_name="birds", model_path="outputs/model.pt")
