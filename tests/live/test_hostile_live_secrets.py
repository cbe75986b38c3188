"""Credentials never come back through a server's own words: a server (or a proxy before
it) that quotes the request's ``Authorization`` header in an error message has every form
of the credential replaced by ``***``, the base64 of basic auth included."""

from __future__ import annotations

import base64

import pytest

from mlkaizen.evidence.sources.mlflow import MlflowOptions, read_mlflow
from tests.live.stubs import Reply, Request, minimal, serving
from tests.live.test_hostile_live_mlflow import SINCE, UNTIL


def _echo(request: Request) -> Reply:
    said = request.headers.get("Authorization", "none")
    return Reply(500, {"error_code": "INTERNAL_ERROR", "message": f"bad header {said}"})


@pytest.mark.parametrize("user_info, env", [
    ("al1ce:pa55word-x@", {}),
    ("", {"MLFLOW_TRACKING_USERNAME": "al1ce", "MLFLOW_TRACKING_PASSWORD": "pa55word-x"}),
])
def test_a_quoted_basic_auth_header_is_never_shown(user_info: str, env: dict[str, str]) -> None:
    encoded = base64.b64encode(b"al1ce:pa55word-x").decode()
    with serving(minimal({"experiments/search": _echo})) as stub:
        url = stub.url.replace("http://", f"http://{user_info}")
        facts = read_mlflow(MlflowOptions(url), SINCE, UNTIL, env=env)
    assert stub.requests[0].headers["Authorization"] == f"Basic {encoded}"  # it was sent
    assert [p.message for p in facts.problems] == [
        "experiments: GET experiments/search: server error 500 INTERNAL_ERROR: "
        "bad header Basic ***"]
    assert encoded not in facts.model_dump_json()


def test_a_quoted_bearer_token_is_never_shown() -> None:
    with serving(minimal({"experiments/search": _echo})) as stub:
        facts = read_mlflow(MlflowOptions(stub.url), SINCE, UNTIL,
                            env={"MLFLOW_TRACKING_TOKEN": "t0ken-value"})
    assert [p.message for p in facts.problems] == [
        "experiments: GET experiments/search: server error 500 INTERNAL_ERROR: "
        "bad header Bearer ***"]


@pytest.mark.parametrize("variable", ["MLFLOW_TRACKING_TOKEN", "DATABRICKS_TOKEN"])
@pytest.mark.parametrize("token", ["t0ken-one\nt0ken-two", "t0ken\x00-one", "t0k\u00e9n-one",
                                   "t0ken one"])
def test_a_token_no_header_can_carry_is_one_problem_never_shown(variable: str,
                                                                 token: str) -> None:
    with serving(minimal()) as stub:
        url = "databricks" if variable == "DATABRICKS_TOKEN" else stub.url
        facts = read_mlflow(MlflowOptions(url), SINCE, UNTIL,
                            env={variable: token, "DATABRICKS_HOST": stub.url})
    assert stub.requests == [] and facts.requests == 0 and not facts.complete
    assert [p.message for p in facts.problems] == [
        f"{variable}: it has spaces, control or non-ASCII characters, which an HTTP header "
        "cannot carry"]
    assert "t0k" not in facts.model_dump_json()
