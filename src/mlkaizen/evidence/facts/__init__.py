"""Typed facts: what a source observed, as plain data, before any detector reads meaning
into it. Detectors read facts, never a source."""
