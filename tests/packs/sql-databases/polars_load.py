# expect: data_remote_storage_configured
# training rows read from PostgreSQL into a Polars frame
import polars as pl
from sqlalchemy import create_engine, text

engine = create_engine("postgresql+psycopg://ml@db:5432/energy")


def training_rows() -> pl.DataFrame:
    with engine.connect() as connection:
        return pl.read_database(text("SELECT * FROM consumption"), connection=connection)
