# ok: drift_detection_used
import pandas as pd
drift = pd.Series([0.1]).mean()
