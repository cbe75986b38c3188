"""Where the plugin's catalogue file lives (the `mlkaizen.catalogues` entry point)."""

from __future__ import annotations

from pathlib import Path


def path() -> str:
    return str(Path(__file__).with_name("acme-mlops.yaml"))
