# ok: data_validation_library_used
import pandas as pd
frame = pd.DataFrame({"age": [1]})
