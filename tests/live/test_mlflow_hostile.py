"""The MLflow source against servers that fail or misbehave: each failure is one problem
line naming what could not be read, never an exception, never a secret; what was read
before it stands."""

from __future__ import annotations

import datetime as dt
import gzip
import json

from mlkaizen.evidence.facts.live import Experiment, MlflowFacts, Problem, RegisteredModel
from mlkaizen.evidence.sources.mlflow import MlflowOptions, read_mlflow
from tests.live.conftest import free_port
from tests.live.stubs import MINIMAL, Reply, Request, minimal, serving

UTC = dt.UTC
SINCE = dt.datetime(2025, 1, 1, tzinfo=UTC)
UNTIL = dt.datetime(2025, 7, 1, tzinfo=UTC)
TOKEN = "s3cr3t-token-value"
ENV = {"MLFLOW_TRACKING_TOKEN": TOKEN}
EXPERIMENTS = "experiments/search"
RUNS = "runs/search"
MODELS = "registered-models/search"
VERSIONS = "model-versions/search"


def _read(url: str, env: dict[str, str] | None = None, **options: object) -> MlflowFacts:
    facts = read_mlflow(MlflowOptions(url, **options),  # type: ignore[arg-type]
                        SINCE, UNTIL, env=ENV if env is None else env)
    assert TOKEN not in facts.model_dump_json()
    return facts


def _messages(facts: MlflowFacts) -> list[str]:
    assert all(p.source == "mlflow" and "\n" not in p.message for p in facts.problems)
    return [p.message for p in facts.problems]


def test_a_well_formed_server_is_read_whole() -> None:
    with serving(minimal()) as stub:
        facts = _read(stub.url, parallel=1)
    assert facts.problems == [] and facts.complete and facts.requests == 4
    assert facts.experiments == [Experiment(
        id="1", name="churn", created=dt.datetime(2025, 1, 1, tzinfo=UTC),
        updated=dt.datetime(2025, 1, 1, tzinfo=UTC))]
    assert [(r.id, r.params, r.metrics, r.git_commit, r.user) for r in facts.runs] == [
        ("r1", 1, 1, "abc", "alice")]
    assert facts.models == [RegisteredModel(
        name="churn", created=dt.datetime(2025, 3, 1, tzinfo=UTC),
        updated=dt.datetime(2025, 3, 1, tzinfo=UTC), aliases={"champion": "1"})]
    assert [(v.version, v.stage, v.aliases) for v in facts.versions] == [
        ("1", None, ("champion",))]
    # what was asked: read-only searches, the window in ms, the model by name, the token
    assert [(r.method, r.endpoint) for r in stub.requests] == [
        ("GET", EXPERIMENTS), ("POST", RUNS), ("GET", MODELS), ("GET", VERSIONS)]
    assert stub.requests[1].body == {
        "experiment_ids": ["1"], "max_results": 1000, "run_view_type": "ACTIVE_ONLY",
        "filter": "attributes.start_time >= 1735689600000 AND "
                  "attributes.start_time <= 1751328000000"}
    assert stub.requests[3].query == {"filter": ["name='churn'"], "max_results": ["1000"]}
    assert {r.headers["Authorization"] for r in stub.requests} == {f"Bearer {TOKEN}"}


def test_runs_are_searched_in_slices_of_the_window_side_by_side() -> None:
    with serving(minimal()) as stub:
        facts = _read(stub.url, parallel=3)
    assert facts.problems == [] and facts.requests == 6
    assert [r.id for r in facts.runs] == ["r1"]  # the stub shows it in every slice: once
    assert sorted(r.body["filter"] for r in stub.requests if r.endpoint == RUNS) == [
        "attributes.start_time >= 1735689600000 AND attributes.start_time <= 1740902399999",
        "attributes.start_time >= 1740902400000 AND attributes.start_time <= 1746115199999",
        "attributes.start_time >= 1746115200000 AND attributes.start_time <= 1751328000000"]


def test_the_budget_spent_by_side_by_side_searches_is_one_problem() -> None:
    pages = iter(range(10_000))

    def endless(request: Request) -> Reply:
        return Reply(body={**MINIMAL[RUNS], "next_page_token": f"p{next(pages)}"})

    with serving(minimal({RUNS: endless})) as stub:
        facts = _read(stub.url, max_requests=9, parallel=4)
    assert facts.requests == 9 and stub.endpoints().count(RUNS) == 8
    assert _messages(facts) == [
        "runs: the budget of 9 requests was spent before POST runs/search"]
    assert [r.id for r in facts.runs] == ["r1"] and facts.models == []


def test_an_unreachable_server_stops_at_once() -> None:
    port = free_port()  # nothing listens there any more
    facts = _read(f"http://127.0.0.1:{port}")
    assert facts.requests == 1 and not facts.complete
    [message] = _messages(facts)
    assert message.startswith(f"experiments: http://127.0.0.1:{port} is unreachable (")


def test_401_names_the_variable_never_its_value() -> None:
    with serving(minimal({EXPERIMENTS: Reply(401, {"error_code": "UNAUTHENTICATED"})})) as s:
        facts = _read(s.url)
    assert _messages(facts) == [
        "experiments: not authorised (401) for GET experiments/search: check "
        "MLFLOW_TRACKING_TOKEN"]
    assert facts.requests == 1 and not facts.complete


def test_403_with_basic_credentials_names_them() -> None:
    env = {"MLFLOW_TRACKING_USERNAME": "ann", "MLFLOW_TRACKING_PASSWORD": "pa55word-x"}
    with serving(minimal({EXPERIMENTS: Reply(403)})) as stub:
        facts = _read(stub.url, env=env)
    assert _messages(facts) == [
        "experiments: not authorised (403) for GET experiments/search: check "
        "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"]
    assert stub.requests[0].headers["Authorization"] == "Basic YW5uOnBhNTV3b3JkLXg="
    assert "pa55word-x" not in facts.model_dump_json()


def test_mlflow_3_refusing_its_host_name_is_not_blamed_on_credentials() -> None:
    refused = Reply(403, b"Invalid Host header - possible DNS rebinding attack detected",
                    headers={"Content-Type": "text/plain"})
    with serving(minimal({EXPERIMENTS: refused})) as stub:
        facts = _read(stub.url)
    assert _messages(facts) == [
        "experiments: GET experiments/search: the server refuses the host name it was "
        "reached by (403 Invalid Host header); its --allowed-hosts must include 127.0.0.1"]
    assert facts.requests == 1


def test_credentials_in_the_url_are_used_never_shown() -> None:
    with serving(minimal({EXPERIMENTS: Reply(401)})) as stub:
        url = stub.url.replace("://", "://bob:hunter2%21@") + "/?token=zz#frag"
        facts = _read(url, env={})
    assert stub.requests[0].headers["Authorization"] == "Basic Ym9iOmh1bnRlcjIh"  # bob:hunter2!
    assert facts.server == stub.url
    assert _messages(facts) == [
        "experiments: not authorised (401) for GET experiments/search: check the user name "
        "and password in the URL"]
    text = facts.model_dump_json()
    assert "hunter2" not in text and "bob" not in text and "zz" not in text


def test_no_credentials_at_all_says_what_to_set() -> None:
    with serving(minimal({EXPERIMENTS: Reply(401)})) as stub:
        facts = _read(stub.url, env={})
    assert "Authorization" not in stub.requests[0].headers
    assert _messages(facts) == [
        "experiments: not authorised (401) for GET experiments/search: check "
        "MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD "
        "(none is set)"]


def test_a_stalled_request_times_out_and_the_rest_is_read() -> None:
    with serving(minimal({RUNS: Reply(stall=True)})) as stub:
        facts = _read(stub.url, request_timeout=0.5)
    assert _messages(facts) == ["runs: POST runs/search: no answer within 0.5 s (request timeout)"]
    assert not facts.complete and facts.runs == []
    assert [m.name for m in facts.models] == ["churn"] and len(facts.versions) == 1


def test_the_deadline_stops_the_whole_reading() -> None:
    with serving(minimal({RUNS: Reply(stall=True)})) as stub:
        facts = _read(stub.url, deadline=1.0, request_timeout=30.0, parallel=1)
    assert _messages(facts) == ["runs: the deadline of 1 s passed during POST runs/search"]
    assert facts.requests == 2
    assert facts.models == [] and not facts.complete


def test_a_redirect_to_another_host_is_not_followed() -> None:
    with serving(minimal(), host="127.0.0.2") as elsewhere:
        moved = Reply(302, headers={"Location": f"{elsewhere.url}/api/2.0/mlflow/{MODELS}"})
        with serving(minimal({MODELS: moved})) as stub:
            facts = _read(stub.url)
    assert elsewhere.requests == []
    assert _messages(facts) == [
        f"registered models: GET registered-models/search was redirected to "
        f"{elsewhere.url}/api/2.0/mlflow/{MODELS}: not followed (another host or scheme); "
        "give the server's own URL"]
    assert len(facts.runs) == 1 and facts.models == [] and not facts.complete


def test_a_redirect_on_the_same_server_is_followed_three_times_at_most() -> None:
    def hop(request: Request) -> Reply:
        return Reply(307, headers={"Location": "/api/2.0/mlflow/experiments/search2"})

    def older(request: Request) -> Reply:
        return Reply(body=MINIMAL[EXPERIMENTS])

    with serving(minimal({EXPERIMENTS: hop, "experiments/search2": older})) as stub:
        facts = _read(stub.url)
    assert facts.problems == [] and [e.id for e in facts.experiments] == ["1"]
    assert stub.endpoints()[:2] == [EXPERIMENTS, "experiments/search2"]
    with serving(minimal({EXPERIMENTS: hop, "experiments/search2": hop})) as stub:
        facts = _read(stub.url)
    assert _messages(facts) == ["experiments: GET experiments/search: more than 3 redirects"]
    assert facts.requests == 4


def test_a_huge_body_is_not_read() -> None:
    huge = {"experiments": [{"experiment_id": str(i), "name": "x" * 100} for i in range(5000)]}
    declared = Reply(body=huge)
    undeclared = Reply(body=huge, length=-1, chunks=50)  # no length: read until closed
    zipped = Reply(body=gzip.compress(json.dumps(huge).encode()),
                   headers={"Content-Encoding": "gzip"}, length=-1)
    for reply in (declared, undeclared, zipped):
        with serving(minimal({EXPERIMENTS: reply})) as stub:
            facts = _read(stub.url, max_body=100_000)
        assert _messages(facts) == [
            "experiments: GET experiments/search: the answer is over 100000 bytes (max_body); "
            "not read"], reply
        assert facts.experiments == [] and len(facts.models) == 1


def test_a_small_gzipped_answer_is_read() -> None:
    body = gzip.compress(json.dumps(MINIMAL[EXPERIMENTS]).encode())
    with serving(minimal({EXPERIMENTS: Reply(body=body, headers={"Content-Encoding": "gzip"})})
                 ) as stub:
        facts = _read(stub.url)
    assert facts.problems == [] and [e.name for e in facts.experiments] == ["churn"]


def test_truncated_json_is_a_problem() -> None:
    cut = json.dumps(MINIMAL[MODELS]).encode()[:40]
    with serving(minimal({MODELS: Reply(body=cut)})) as stub:
        facts = _read(stub.url)
    assert _messages(facts) == [
        "registered models: GET registered-models/search: the answer is not JSON (malformed or "
        "truncated)"]
    with serving(minimal({MODELS: Reply(body=cut, length=400)})) as stub:  # closed early
        facts = _read(stub.url)
    assert _messages(facts) == [
        "registered models: GET registered-models/search: the answer was cut off (truncated)"]
    assert len(facts.runs) == 1 and facts.versions == []


def test_wrong_shapes_are_left_out_never_trusted() -> None:
    experiments = {"experiments": [
        {"experiment_id": "2", "name": "ok", "creation_time": "abc", "last_update_time": True},
        {"experiment_id": "3", "name": ["not", "a", "name"]}, "a string", None,
        {"experiment_id": "4", "name": "strings", "creation_time": "1735689600000"}]}
    runs = {"runs": [
        {"info": {"run_id": "a", "experiment_id": "2", "start_time": "soon"}},
        {"info": {"run_id": "b", "experiment_id": "2", "start_time": 1740787200000,
                  "end_time": 10**20, "status": 5},
         "data": {"params": "lr=1", "metrics": [{"key": "auc"}, {"key": "auc"}, 7],
                  "tags": {"mlflow.source.git.commit": "x"}}}]}
    with serving(minimal({EXPERIMENTS: Reply(body=experiments), RUNS: Reply(body=runs),
                          MODELS: Reply(body={"registered_models": {"name": "x"}})})) as stub:
        facts = _read(stub.url)
    assert facts.experiments == [
        Experiment(id="2", name="ok"),
        Experiment(id="4", name="strings", created=dt.datetime(2025, 1, 1, tzinfo=UTC))]
    assert [(r.id, r.end, r.status, r.params, r.metrics, r.git_commit) for r in facts.runs] == [
        ("b", None, "", 0, 1, None)]
    assert _messages(facts) == [
        "experiments: 3 left out (unexpected shape)",
        "runs: 1 left out (unexpected shape)",
        "registered models: the answer has no list of registered_models (unexpected shape)"]
    assert not facts.complete and facts.versions == []
    for body in (b"[1, 2]", b'"text"', b"null", b"[" * 100_000):
        with serving(minimal({EXPERIMENTS: Reply(body=body)})) as stub:
            facts = _read(stub.url)
        assert _messages(facts)[0].startswith("experiments: "), body[:10]


def test_a_missing_versions_endpoint_leaves_the_rest() -> None:
    models = {"registered_models": [{"name": f"m{i}"} for i in range(3)]}
    gone = Reply(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "No API route"})
    with serving(minimal({MODELS: Reply(body=models), VERSIONS: gone})) as stub:
        facts = _read(stub.url)
    assert _messages(facts) == [
        "model versions: GET model-versions/search: the server has no such endpoint "
        "(404 ENDPOINT_NOT_FOUND: No API route); an older MLflow?"]
    assert stub.endpoints().count(VERSIONS) == 1  # not asked again for each model
    assert [m.name for m in facts.models] == ["m0", "m1", "m2"] and len(facts.runs) == 1
    assert facts.versions == [] and not facts.complete


def test_a_server_error_on_one_model_keeps_the_others() -> None:
    models = {"registered_models": [{"name": "good"}, {"name": "bad"}]}

    def versions(request: Request) -> Reply:
        if request.query["filter"] == ["name='bad'"]:
            return Reply(500, {"error_code": "INTERNAL_ERROR", "message": f"boom {TOKEN}"})
        return Reply(body={"model_versions": [
            {"name": "good", "version": "7", "creation_timestamp": "1740787200000",
             "current_stage": "Production", "aliases": ["blue"]}]})

    with serving(minimal({MODELS: Reply(body=models), VERSIONS: versions})) as stub:
        facts = _read(stub.url)
    assert [(v.model, v.version, v.stage, v.aliases) for v in facts.versions] == [
        ("good", "7", "Production", ("blue",))]
    assert _messages(facts) == [
        "model versions: GET model-versions/search: server error 500 INTERNAL_ERROR: boom ***, "
        "for model 'bad'"]


def test_a_page_token_repeated_forever_stops_paging() -> None:
    page = {**MINIMAL[EXPERIMENTS], "next_page_token": "again"}
    with serving(minimal({EXPERIMENTS: Reply(body=page)})) as stub:
        facts = _read(stub.url)
    assert _messages(facts) == [
        "experiments: the server gave the same page token twice; paging stopped"]
    assert stub.endpoints().count(EXPERIMENTS) == 2
    assert [e.id for e in facts.experiments] == ["1"]  # the same item twice: kept once


def test_runs_the_server_gives_outside_the_window_are_dropped() -> None:
    runs = json.loads(json.dumps(MINIMAL[RUNS]))
    runs["runs"][0]["info"]["start_time"] = 1600000000000  # 2020, the filter ignored
    with serving(minimal({RUNS: Reply(body=runs)})) as stub:
        facts = _read(stub.url)
    assert facts.runs == [] and facts.problems == []


def test_databricks_takes_its_host_and_token() -> None:
    with serving(minimal()) as stub:
        facts = _read("databricks", env={"DATABRICKS_HOST": stub.url + "/",
                                         "DATABRICKS_TOKEN": TOKEN})
    assert facts.server == stub.url and facts.complete and facts.problems == []
    assert stub.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    facts = _read("databricks", env={"DATABRICKS_TOKEN": TOKEN})
    assert facts.server == "databricks" and facts.requests == 0
    assert facts.problems == [Problem(source="mlflow",
                                      message="databricks: DATABRICKS_HOST is not set")]


def test_a_certificate_that_cannot_be_read_is_one_problem(tmp_path: object) -> None:
    env = {"MLFLOW_TRACKING_SERVER_CERT_PATH": "/nonexistent/ca.pem"}
    facts = _read("https://127.0.0.1:1", env=env)
    assert facts.requests == 0 and not facts.complete
    [message] = _messages(facts)
    assert message.startswith("MLFLOW_TRACKING_SERVER_CERT_PATH: cannot use "
                              "/nonexistent/ca.pem (")
