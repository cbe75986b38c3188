# ok: data_remote_storage_configured
from sqlalchemy import create_engine
engine = create_engine("postgresql://app@db/app")  # the app's own store, no data read for ML
engine.dispose()
