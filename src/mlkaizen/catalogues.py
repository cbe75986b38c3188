"""The catalogue as the tool loads it: validated by the catalogue layer, with every detector
it names checked against the detectors installed (the evidence layer's registry, built-in and
plugins). Above both layers, so that neither imports the other against the flow."""

from __future__ import annotations

from pathlib import Path

from mlkaizen.catalogue import loader
from mlkaizen.catalogue.schema import Catalogue


def known_detectors() -> set[str]:
    """The ids of every detector a catalogue may name."""
    from mlkaizen.evidence.detectors import all_detectors

    return set(all_detectors()[0])


def load_catalogue(source: str | Path | None = None) -> Catalogue:
    """A catalogue by id or from a YAML file, fully validated (``path:line`` errors), its
    detector references included."""
    return loader.load_catalogue(source, known_detectors())


def load_catalogue_text(text: str, display: str) -> Catalogue:
    """A catalogue from text read elsewhere (a repository's own file), fully validated."""
    return loader.load_catalogue_text(text, display, known_detectors())
