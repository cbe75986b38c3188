"""Where the plugin's catalogue file lives (the `mlkaizen.catalogues` entry point)."""

from __future__ import annotations

from pathlib import Path


def path() -> str:
    return str(Path(__file__).with_name("acme-mlops.yaml"))


def packs() -> str:
    """The folder of the plugin's stack packs (the `mlkaizen.packs` entry point)."""
    return str(Path(__file__).with_name("packs"))
