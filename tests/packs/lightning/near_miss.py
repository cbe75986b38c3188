# ok: experiment_tracking_used
import lightning as L
trainer = L.Trainer(max_epochs=3)
