"""The self-hosted server: the organisation's portfolio, subject pages, the web questionnaire
and the plan board, with a REST API under ``/api/v1``. It reads and writes only through
:mod:`mlkaizen.store`; it needs the ``server`` extra (FastAPI, uvicorn, argon2)."""
