"""Redirects a hostile server may give to a scheme that is not HTTP: never followed, and
nothing more is asked of the server."""

from __future__ import annotations

import pytest

from mlkaizen.evidence.sources.mlflow import MlflowOptions, read_mlflow
from tests.live.stubs import Reply, minimal, serving
from tests.live.test_hostile_live_mlflow import SINCE, UNTIL

MODELS = "registered-models/search"


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/x"])
def test_a_redirect_to_another_scheme_is_not_followed(location: str) -> None:
    with serving(minimal({MODELS: Reply(302, headers={"Location": location})})) as stub:
        facts = read_mlflow(MlflowOptions(stub.url), SINCE, UNTIL, env={})
    assert [p.message for p in facts.problems] == [
        f"registered models: GET registered-models/search was redirected to {location}: not "
        "followed (another host or scheme); give the server's own URL"]
    assert len(stub.requests) == 1 + 4 + 1  # experiments, runs (4 slices), the redirect
