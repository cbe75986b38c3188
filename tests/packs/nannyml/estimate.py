# expect: drift_detection_used
import nannyml
estimator = nannyml.CBPE(y_pred_proba="p", y_pred="y_hat", y_true="y")
