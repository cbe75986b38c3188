"""``python -m mlkaizen``."""

from mlkaizen.cli import main

main()
