# ok: drift_detection_used
# the Vertex SDK used for experiments only
import vertexai
from vertexai.resources.preview import ml_monitoring  # imported, never used

vertexai.init(project="p", location="europe-west4")
