"""TLS to an MLflow server: verified by default, a CA bundle or no verification as the
MLFLOW_TRACKING_* variables say, and never a redirect from https down to http."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mlkaizen.evidence.sources.mlflow import MlflowOptions, read_mlflow
from tests.live.stubs import Reply, minimal, self_signed, serving

SINCE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
UNTIL = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def test_an_untrusted_certificate_stops_the_reading(tmp_path: Path) -> None:
    tls, _ = self_signed(tmp_path)
    with serving(minimal(), tls=tls) as stub:
        facts = read_mlflow(MlflowOptions(stub.url), SINCE, UNTIL, env={})
    assert stub.requests == [] and facts.requests == 1 and not facts.complete
    [problem] = facts.problems
    assert problem.message.startswith(
        f"experiments: {stub.url}: its TLS certificate is not trusted here (")
    assert problem.message.endswith("give its CA bundle in MLFLOW_TRACKING_SERVER_CERT_PATH")


def test_a_ca_bundle_or_no_verification_reads_it(tmp_path: Path) -> None:
    tls, cert = self_signed(tmp_path)
    for env in ({"MLFLOW_TRACKING_SERVER_CERT_PATH": str(cert)},
                {"MLFLOW_TRACKING_INSECURE_TLS": "true"}):
        with serving(minimal(), tls=tls) as stub:
            facts = read_mlflow(MlflowOptions(stub.url), SINCE, UNTIL, env=env)
        assert facts.problems == [] and facts.complete, env
        assert [r.id for r in facts.runs] == ["r1"]
    with serving(minimal(), tls=tls) as stub:  # "false" is not "true": verified
        facts = read_mlflow(MlflowOptions(stub.url), SINCE, UNTIL,
                            env={"MLFLOW_TRACKING_INSECURE_TLS": "false"})
    assert "not trusted" in facts.problems[0].message


def test_a_redirect_from_https_to_http_is_not_followed(tmp_path: Path) -> None:
    tls, cert = self_signed(tmp_path)
    with serving(minimal()) as plain:
        down = Reply(301, headers={
            "Location": f"http://127.0.0.1:{plain.port}/api/2.0/mlflow/experiments/search"})
        with serving(minimal({"experiments/search": down}), tls=tls) as stub:
            facts = read_mlflow(MlflowOptions(stub.url), SINCE, UNTIL,
                                env={"MLFLOW_TRACKING_SERVER_CERT_PATH": str(cert),
                                     "MLFLOW_TRACKING_TOKEN": "tok-abcdef"})
    assert plain.requests == []
    assert [p.message for p in facts.problems] == [
        f"experiments: GET experiments/search was redirected to http://127.0.0.1:{plain.port}"
        "/api/2.0/mlflow/experiments/search: not followed (another host or scheme); give the "
        "server's own URL"]


def test_a_redirect_from_http_up_to_https_on_the_same_host_is_followed(
        tmp_path: Path) -> None:
    tls, cert = self_signed(tmp_path)
    with serving(minimal(), tls=tls) as secure:
        up = Reply(301, headers={"Location": f"{secure.url}/api/2.0/mlflow/experiments/search"})
        with serving(minimal({"experiments/search": up})) as stub:
            facts = read_mlflow(MlflowOptions(stub.url), SINCE, UNTIL,
                                env={"MLFLOW_TRACKING_SERVER_CERT_PATH": str(cert)})
    assert facts.problems == [] and [e.id for e in facts.experiments] == ["1"]
    assert secure.endpoints() == ["experiments/search"]
