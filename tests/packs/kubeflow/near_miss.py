# ok: pipeline_defined
import kfp
client = kfp.Client(host="http://pipelines")
