"""``python -m mlkaizen``.

Python puts the working folder first on ``sys.path`` for ``-m``; in CI that folder is the
repository under assessment, whose own modules (``yaml.py``, ``typer/``) and ``*.dist-info``
entry points must never be imported. It is dropped before anything else is imported.
"""

import os
import sys


def _drop_working_folder() -> None:
    cwd = os.path.realpath(os.getcwd())
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != cwd]


_drop_working_folder()

from mlkaizen.cli import main  # noqa: E402 - only after sys.path is safe

main()
