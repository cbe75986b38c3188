# expect: model_registry_used
from transformers import AutoModel
AutoModel.from_pretrained("bert-base-uncased").push_to_hub("org/churn-bert")
