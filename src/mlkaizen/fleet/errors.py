"""How a fleet job fails: the errors a scan raises and the worker records."""

from __future__ import annotations

from mlkaizen.errors import MLKaizenError


class JobError(MLKaizenError):
    """A job failed. ``permanent``: trying again cannot help (a missing path, a refused
    location), so it is not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class DiskFullError(MLKaizenError):
    """The cache's disk is full: the run stops (what is stored stays)."""
