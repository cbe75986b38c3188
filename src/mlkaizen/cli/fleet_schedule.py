"""`mlkaizen fleet schedule add|list|remove`: repositories the server re-assesses on a cron
schedule."""

from __future__ import annotations
