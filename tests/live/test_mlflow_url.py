"""Which MLflow URLs are usable: http(s) with a host, or ``databricks``; anything else is
one clear line, without the credentials the URL may carry."""

from __future__ import annotations

import datetime as dt

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.sources.mlflow import MlflowOptions, check_url, read_mlflow


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:5000", "https://mlflow.example.com", "https://mlflow.example.com/",
    "http://[::1]:5000/prefix", "https://user:pw@mlflow.example.com", "databricks",
])
def test_usable_urls_are_returned_as_given(url: str) -> None:
    assert check_url(url) == url


@pytest.mark.parametrize(("url", "message"), [
    ("file:///tmp/mlruns", "MLflow URL 'file:///tmp/mlruns': expected http://host[:port] or "
                           "https://host[:port] (or databricks)"),
    ("ftp://host/x?token=abc", "MLflow URL 'ftp://host/x': expected http://host[:port] or "
                               "https://host[:port] (or databricks)"),
    ("https://u:p@ss@host:0/", "MLflow URL 'https://host:0/': expected http://host[:port] or "
                               "https://host[:port] (or databricks)"),
    ("http://", "MLflow URL 'http://': expected http://host[:port] or https://host[:port] "
                "(or databricks)"),
    ("http://host:99999", "MLflow URL 'http://host:99999': expected http://host[:port] or "
                          "https://host[:port] (or databricks)"),
    ("mlflow.example.com", "MLflow URL 'mlflow.example.com': expected http://host[:port] or "
                           "https://host[:port] (or databricks)"),
    ("databricks://profile", "MLflow URL 'databricks://profile': expected http://host[:port] "
                             "or https://host[:port] (or databricks)"),
    ("http://host/\nx", "MLflow URL 'http://host/?x': it has spaces or control characters"),
    ("http://[::1", "MLflow URL 'http://[::1': expected http://host[:port] or "
                    "https://host[:port] (or databricks)"),
    ("http://ho st", "MLflow URL 'http://ho st': it has spaces or control characters"),
    ("ftp://ann:hunter2@host", "MLflow URL 'ftp://host': expected http://host[:port] or "
                               "https://host[:port] (or databricks)"),
])
def test_unusable_urls_are_one_line_without_secrets(url: str, message: str) -> None:
    with pytest.raises(MLKaizenError) as caught:
        check_url(url)
    assert caught.value.message == message
    assert "\n" not in str(caught.value) and "hunter2" not in str(caught.value)


def test_read_mlflow_turns_a_bad_url_into_a_problem() -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    facts = read_mlflow(MlflowOptions("file://ann:hunter2@/tmp/mlruns?q=1"), now, now, env={})
    assert facts.requests == 0 and not facts.complete
    assert facts.server == "file:///tmp/mlruns"
    assert [p.message for p in facts.problems] == [
        "MLflow URL 'file:///tmp/mlruns': expected http://host[:port] or https://host[:port] "
        "(or databricks)"]
    assert "hunter2" not in facts.model_dump_json()


def test_a_host_httpx_cannot_use_is_one_problem() -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    facts = read_mlflow(MlflowOptions("http://a..b"), now, now, env={})
    assert not facts.complete and len(facts.problems) == 1
    assert facts.problems[0].message.startswith("experiments: ")


@pytest.mark.parametrize("variable", ["MLFLOW_TRACKING_TOKEN", "DATABRICKS_TOKEN"])
@pytest.mark.parametrize("token", ["tökén-sëcret", "line\nbreak-secret", "tab\tsecret"])
def test_a_token_no_header_can_carry_is_one_problem_naming_the_variable(
    variable: str, token: str
) -> None:
    from mlkaizen.evidence.facts.live import Problem

    url = "databricks" if variable == "DATABRICKS_TOKEN" else "http://127.0.0.1:9"
    env = {variable: token, "DATABRICKS_HOST": "https://adb-1.example.net"}
    until = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    facts = read_mlflow(MlflowOptions(url), until - dt.timedelta(days=30), until, env=env)
    assert facts.problems == [Problem(source="mlflow", message=(
        f"{variable}: it has spaces, control or non-ASCII characters, which an HTTP header "
        "cannot carry"))]
    assert facts.requests == 0 and not facts.complete
