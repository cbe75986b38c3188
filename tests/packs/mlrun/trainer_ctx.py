# expect: model_registry_used
import mlrun
ctx = mlrun.get_or_create_ctx("train")
ctx.log_model("fraud", body=b"", model_file="model.pkl", metrics={"auc": 0.91})
