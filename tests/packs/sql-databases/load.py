# expect: data_remote_storage_configured
import pandas as pd
from sqlalchemy import create_engine
engine = create_engine("postgresql+psycopg2://ml@db:5432/loans")
frame = pd.read_sql("SELECT * FROM applications", engine)
