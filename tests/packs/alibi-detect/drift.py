# expect: drift_detection_used
from alibi_detect.cd import KSDrift
detector = KSDrift(x_ref, p_val=0.05)
