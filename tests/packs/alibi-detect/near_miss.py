# ok: drift_detection_used
from alibi_detect.utils.saving import load_detector
