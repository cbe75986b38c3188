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
    max_bytes_read: int = 64 * 1024 * 1024  # bytes read in one scan, over all files (all kept)
    max_yaml_nodes: int = 100_000  # nodes of one YAML document once aliases are expanded
    max_yaml_depth: int = 200  # nesting depth of one YAML document
    # characters given to parsers in one scan, all files and kinds (cached parses count the
    # same): what bounds parsing, the same on any machine
    max_parse_bytes: int = 16 * 1024 * 1024
    max_yaml_bytes: int = 8 * 1024 * 1024  # ... of them YAML (kept as about 12 bytes each)
    # last-resort safety nets, in wall time (a parse that never ends, a machine stalled):
    # never reached within the bounds above on a working machine; a warning names one if it is
    parse_timeout: float = 30.0  # seconds one file's parse may take (0 turns the budget off)
    max_parse_seconds: float = 300.0  # seconds all parses of one scan may take together
    max_dir_depth: int = 512  # folders deeper than this are not walked
    max_gitignore_bytes: int = 1024 * 1024  # .gitignore bytes read in one walk, all files
    max_gitignore_patterns: int = 20_000  # .gitignore lines used in one walk, all files
    max_ci_files: int = 1_000  # CI configuration files parsed
    max_ci_jobs: int = 10_000  # CI jobs kept, over all pipelines
    max_ci_steps: int = 20_000  # CI steps and jobs made (templates expanded), all pipelines
    max_ci_text: int = 2 * 1024 * 1024  # characters of their text (what detectors search)
    max_requirement_lines: int = 20_000  # requirement lines read in one scan, all files
    max_expansion_bytes: int = 128 * 1024  # text one CI step expands to (scripts, targets)
    max_expansion_total: int = 2 * 1024 * 1024  # text all CI steps expand to, together
