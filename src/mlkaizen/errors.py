"""The one user-facing error type, and the exit codes it maps to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class ParseError(Exception):
    """A file could not be parsed; becomes a warning finding, and the scan goes on."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class MLKaizenError(Exception):
    """A problem the user can fix: bad path, malformed catalogue or config.

    Rendered by the CLI as ``path:line: message`` with exit code 2, never as a traceback.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return f"{where}{self.message}"
