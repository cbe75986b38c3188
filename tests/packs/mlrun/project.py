# expect: feature_store_used
# expect: model_serving_present
# expect: drift_detection_used
import mlrun
import mlrun.feature_store as fstore
transactions = fstore.FeatureSet("transactions", entities=[fstore.Entity("id")])
serving = mlrun.new_function("serving", kind="serving")
serving.set_topology("router")
serving.add_model("fraud", model_path="store://models/fraud")
serving.set_tracking()
