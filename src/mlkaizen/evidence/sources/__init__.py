"""Live evidence sources: objects, not files. Each reads one system the team uses (an
MLflow server, the repository's git history) over a window, read-only, within a budget, and
returns typed facts (:mod:`mlkaizen.evidence.facts.live`) with what it could not read said
as problems; it never raises for a server or history that misbehaves."""
