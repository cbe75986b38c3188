"""Maturity history: the repository's own git history replayed commit by commit, read
straight from the object database (nothing checked out), as a trajectory of stage and
levels, with the commits where each practice was gained or lost."""

from mlkaizen.history.model import History, Point, PracticeChange
from mlkaizen.history.replay import replay

__all__ = ["History", "Point", "PracticeChange", "replay"]
