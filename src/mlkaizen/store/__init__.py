"""The store: subjects, immutable assessments with their practice results and evidence,
and improvement plans, in SQLite (default, in the user's data folder) or PostgreSQL through
SQLAlchemy 2, its schema kept by Alembic migrations shipped in this package.

Imported only by the commands that use it, so the base install stays light."""

from mlkaizen.store.db import Store, default_url, open_store

__all__ = ["Store", "default_url", "open_store"]
