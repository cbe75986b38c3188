"""Resource limits of a scan, with their documented defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScanLimits:
    """Bounds that keep a scan of an untrusted tree fast and small.

    A scan that hits one says which, in a warning finding.
    """

    max_file_bytes: int = 2 * 1024 * 1024  # a larger file is listed but never read
    max_notebook_bytes: int = 8 * 1024 * 1024  # notebooks carry outputs; allow more
    max_files: int = 500_000  # files listed; the rest are not scanned
    max_bytes_read: int = 512 * 1024 * 1024  # bytes read in one scan, over all files
    max_yaml_nodes: int = 100_000  # nodes of one YAML document once aliases are expanded
    max_yaml_depth: int = 200  # nesting depth of one YAML document
    parse_timeout: float = 5.0  # seconds one file's parse may take (0 turns the budget off)
