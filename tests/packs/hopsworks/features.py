# expect: feature_store_used
import hopsworks
project = hopsworks.login()
fs = project.get_feature_store()
