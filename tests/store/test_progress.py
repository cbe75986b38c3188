"""What the store hands the reports (the practices gained and lost since the stored
predecessor, with their evidence and the open plan item a lost practice had; overdue plan
items), and what it keeps of an assessment's inputs (answers, profile, targets), on SQLite and
PostgreSQL; the schema brought up from empty and from the previous revision."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from mlkaizen.api import assess
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.cli.store_cmd import attach_history
from mlkaizen.engine.model import Assessment, Evidence, OverduePlan, PracticeMove
from mlkaizen.inputs import AnswerRecord, Inputs, TargetRecord, gather
from mlkaizen.report import RenderContext, get_renderer
from mlkaizen.store import open_store
from mlkaizen.store import plans as plan_store
from mlkaizen.store.diff import since_previous
from mlkaizen.store.migrate import SCHEMA_HEAD
from mlkaizen.store.records import load_inputs, log, save
from mlkaizen.store.snapshots import Practice, Snapshot, snapshot_of, subject_key
from tests.conftest import write_tree

TRACK = "model.experiment-tracking"
TRAIN = 'import mlflow\nmlflow.log_metric("auc", 0.9)\n'
MLFLOW = Evidence(detector="experiment_tracking_used", file="train.py", line=2,
                  detail="MLflow: mlflow.log_metric()")
CATALOGUE = "catalogue: {id: ad-hoc-to-kaizen, version: 2026.12.0}\n"
NEW_TABLES = {"assessment_answers", "assessment_profiles", "assessment_targets"}


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Assessment]]:
    """One repository (one subject), assessed with experiment tracking, then without."""
    repo = write_tree(tmp_path_factory.mktemp("tracked") / "repo", {"train.py": TRAIN})
    with_it = assess(repo, sub_projects=False)
    write_tree(repo, {"train.py": 'print("train")\n'})
    return repo, {"with": with_it, "without": assess(repo, sub_projects=False)}


def _snap(label: str, states: dict[str, str], evidence: dict[str, list[dict[str, object]]]
          ) -> Snapshot:
    satisfied = {"met", "exempt", "not-applicable"}
    return Snapshot(
        id=None, label=label, created_at=None, stage="Ad hoc", stage_index=1, levels={"data": 0},
        practices={pid: Practice(state, "detected", state in satisfied, evidence.get(pid, []))
                   for pid, state in states.items()},
    )


def test_gained_and_lost_follow_the_satisfied_line() -> None:
    ev = {"file": "a.py", "line": 3, "detail": "seen", "detector": "d"}
    before = _snap("#1", {"p.partial-to-met": "partial", "p.unmet-to-partial": "unmet",
                          "p.met-to-na": "met", "p.met-to-gone": "met", "p.same": "met"},
                   {"p.met-to-gone": [ev], "p.same": [ev]})
    after = _snap("now", {"p.partial-to-met": "met", "p.unmet-to-partial": "partial",
                          "p.met-to-na": "not-applicable", "p.same": "met"},
                  {"p.partial-to-met": [ev], "p.same": [{**ev, "line": 4}]})
    since = since_previous(before, after, {"p.met-to-gone": 3, "p.same": 4})
    seen = Evidence(detector="d", file="a.py", line=3, detail="seen")
    # partial -> met crosses the satisfied line (gained); unmet -> partial and met ->
    # not-applicable do not; a practice still met whose evidence moved is not listed
    assert since.gained == [PracticeMove(practice="p.partial-to-met", before="partial",
                                         after="met", evidence_appeared=[seen])]
    assert since.lost == [PracticeMove(practice="p.met-to-gone", before="met", after="absent",
                                       evidence_disappeared=[seen], open_plan_item=3)]
    assert (since.previous, since.stage_before, since.levels_before) == (
        "#1", "Ad hoc", {"data": 0})


def _plan(store: object, key: str, practice: str, due: dt.date, owner: str = "alice",
          today: dt.date = dt.date(2026, 1, 1)) -> plan_store.Item:
    return plan_store.add(store, key=key, name="repo", practice=practice,  # type: ignore[arg-type]
                          owner=owner, due=due, note=f"plan {practice}",
                          known={TRACK, "model.registry", "data.versioned"}, today=today)


def test_the_reports_get_the_regression_and_the_plan_that_covered_it(
    db_url: str, tracked: tuple[Path, dict[str, Assessment]]
) -> None:
    repo, seen = tracked
    key = subject_key(repo)[0]
    store = open_store(db_url)
    first = save(store, seen["with"], key=key, name="repo")
    keep = _plan(store, key, TRACK, dt.date(2026, 7, 1))
    late = _plan(store, key, "model.registry", dt.date(2026, 6, 30), owner="bo")
    _plan(store, key, "data.versioned", dt.date(2026, 7, 1), owner="cy")  # due today
    fresh = seen["without"].model_copy(deep=True)
    attach_history(store, fresh, repo, today=dt.date(2026, 7, 1))
    assert fresh.previous is not None
    assert (fresh.previous.previous, fresh.previous.previous_id) == (f"#{first.id}", first.id)
    assert fresh.previous.gained == []
    assert fresh.previous.lost == [PracticeMove(
        practice=TRACK, before="met", after="unmet", evidence_disappeared=[MLFLOW],
        open_plan_item=keep.id)]
    # past due: overdue (and the plan about a lost practice, due today, is not yet)
    assert fresh.overdue_plans == [OverduePlan(id=late.id, practice="model.registry",
                                               owner="bo", due=dt.date(2026, 6, 30),
                                               note="plan model.registry")]
    back = seen["with"].model_copy(deep=True)  # the practice regained: no plan call-out
    attach_history(store, back, repo, today=dt.date(2026, 8, 1))
    assert back.previous is not None and back.previous.lost == []
    assert back.previous.gained == []  # same as the stored #1
    store.close()


def test_an_overdue_item_the_assessment_achieves_is_not_flagged(
    db_url: str, tracked: tuple[Path, dict[str, Assessment]]
) -> None:
    repo, seen = tracked
    key = subject_key(repo)[0]
    store = open_store(db_url)
    _plan(store, key, TRACK, dt.date(2026, 2, 1))
    registry = _plan(store, key, "model.registry", dt.date(2026, 2, 1))
    dropped = _plan(store, key, "data.versioned", dt.date(2026, 2, 1))
    plan_store.abandon(store, dropped.id, "not for us")
    done = seen["with"].model_copy(deep=True)
    attach_history(store, done, repo, today=dt.date(2026, 3, 1))
    assert done.previous is None  # nothing stored of this subject yet
    assert [i.id for i in done.overdue_plans] == [registry.id]
    store.close()


REPORT_LINES = {
    "terminal": [
        "Since the stored assessment #1:",
        "  stage Ad hoc",
        "- lost model.experiment-tracking (met -> unmet); open plan item #1 covered it",
        "    - train.py:2 MLflow: mlflow.log_metric()",
        "Overdue plan items (1):",
        "! #2 model.registry, owner bo, due 2026-06-30",
    ],
    "markdown": [
        "### Since the stored assessment #1",
        "Stage: Ad hoc",
        "- **Lost** `model.experiment-tracking` (met → unmet) — **open plan item #1 covered it**",
        "  - disappeared: `train.py:2 MLflow: mlflow.log_metric()`",
        "### Overdue plan items (1)",
        "- #2 `model.registry`: owner bo, due 2026-06-30 — plan model.registry",
    ],
    "html": [
        "<h2>Since the stored assessment #1</h2>",
        '<tr class="lost"><td><a href="#model.experiment-tracking"><code>'
        'model.experiment-tracking</code></a></td><td class="unmet">lost: met → unmet'
        '<div class="unmet">open plan item #1 covered it</div></td>',
        "<td>disappeared: train.py:2 MLflow: mlflow.log_metric()<br></td></tr>",
        "<h2>Overdue plan items</h2>",
        '<tr><td>#2</td><td><code>model.registry</code></td><td>bo</td><td class="unmet">'
        "2026-06-30</td><td>plan model.registry</td></tr>",
    ],
}


def test_every_report_format_shows_them(tmp_path: Path,
                                        tracked: tuple[Path, dict[str, Assessment]]) -> None:
    repo, seen = tracked
    key = subject_key(repo)[0]
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    save(store, seen["with"], key=key, name="repo")
    _plan(store, key, TRACK, dt.date(2026, 7, 1))
    _plan(store, key, "model.registry", dt.date(2026, 6, 30), owner="bo")
    a = seen["without"].model_copy(deep=True)
    attach_history(store, a, repo, today=dt.date(2026, 7, 1))
    store.close()
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=repo)
    for fmt, expected in REPORT_LINES.items():
        lines = get_renderer(fmt)(a, ctx).splitlines()
        for line in expected:
            assert line in lines, (fmt, line)
    data = json.loads(get_renderer("json")(a, ctx))
    assert data["schema_version"] == "1.7"
    assert data["previous"]["lost"] == [{
        "practice": TRACK, "before": "met", "after": "unmet", "evidence_appeared": [],
        "evidence_disappeared": [{"detector": "experiment_tracking_used", "file": "train.py",
                                  "line": 2, "detail": "MLflow: mlflow.log_metric()",
                                  "context": "project", "outcome": "found"}],
        "open_plan_item": 1}]
    assert data["overdue_plans"] == [{"id": 2, "practice": "model.registry", "owner": "bo",
                                      "due": "2026-06-30", "note": "plan model.registry"}]
    assert data["baseline"] is None  # the committed-baseline field keeps its meaning


def _answers_folder(root: Path) -> Path:
    return write_tree(root, {
        "alice.yaml": "respondent: alice\nrole: data scientist\nanswered_at: 2026-05-02\n"
                      + CATALOGUE + "answers:\n  model.registry: {answer: partly, "
                      "link: https://wiki/reg, comment: only for the churn model}\n"
                      "  data.versioned: yes\n",
        "bob.yaml": "respondent: bob\n" + CATALOGUE + "answers:\n  model.registry: no\n"
                    "decisions:\n  data.versioned: {answer: no, reason: agreed in the workshop}\n",
        "profile.yaml": "needs_regulatory_compliance: true\n"
                        "needs_operational_excellence: false\ndecision_criticality: high\n",
    })


def test_answers_profile_and_targets_are_stored(db_url: str, tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {
        "train.py": TRAIN,
        ".mlkaizen.yaml": "attest:\n  model.model-card: {answer: yes, by: maria, "
                          "date: 2026-01-10, link: https://wiki/card}\n",
        ".mlkaizen/profile.yaml": "needs_regulatory_compliance: false\n"
                                  "needs_operational_excellence: true\nteam_size: 4\n",
    })
    folder = _answers_folder(tmp_path / "answers")
    cat = load_catalogue()
    got = gather(repo, cat, answers=[folder], fail_under="data=1,model=2",
                 fail_on_regression=True)
    assert got.answers == [
        AnswerRecord("alice", "model.registry", "partly", "answer", "data scientist",
                     "https://wiki/reg", "only for the churn model", dt.date(2026, 5, 2)),
        AnswerRecord("alice", "data.versioned", "yes", "answer", "data scientist", None, None,
                     dt.date(2026, 5, 2)),
        AnswerRecord("bob", "model.registry", "no"),
        AnswerRecord("bob", "data.versioned", "no", "decision", None, None,
                     "agreed in the workshop"),
        AnswerRecord("maria", "model.model-card", "yes", "attestation", None, "https://wiki/card",
                     None, dt.date(2026, 1, 10)),
    ]
    # the repository's profile comes first (the answers folder has one too)
    assert got.profile == {"needs_regulatory_compliance": False,
                           "needs_operational_excellence": True,
                           "data_and_collaboration_matter": False, "team_size": 4}
    assert got.profile_file == str((repo / ".mlkaizen" / "profile.yaml").resolve())
    need = {s.index: dict(s.requires) for s in cat.stages}[4]
    assert got.targets == [
        TargetRecord("profile", "stage", 4, "Automated MLOps"),
        *(TargetRecord("profile", d.id, need.get(d.id, 0)) for d in cat.dimensions),
        TargetRecord("fail-under", "data", 1),
        TargetRecord("fail-under", "model", 2),
        TargetRecord("fail-on-regression", "baseline", 1),
    ]
    assert got.problems == []
    store = open_store(db_url)
    a = assess(repo, answers=[folder], sub_projects=False)
    saved = save(store, a, key="/repo", name="repo", inputs=got)
    plain = save(store, a, key="/repo", name="repo")  # no inputs: none stored
    back = load_inputs(store, saved.id)
    assert sorted(back.answers, key=repr) == sorted(got.answers, key=repr)
    assert (back.profile, back.profile_file) == (got.profile, got.profile_file)
    assert sorted(back.targets, key=repr) == sorted(got.targets, key=repr)
    assert load_inputs(store, plain.id) == Inputs()
    lines = log(store, "/repo")
    # the practices the answers settled (alice and bob both answered the same two), as the
    # report counts them; maria's attestation from the config is counted apart
    assert [(x.id, x.answers, x.respondents, x.attestations, x.target) for x in lines] == [
        (plain.id, 0, 0, 0, None), (saved.id, 2, 2, 1, "Automated MLOps")]
    store.close()


def test_from_answers_alone_the_folder_profile_counts_and_a_bad_one_is_reported(
    tmp_path: Path,
) -> None:
    folder = _answers_folder(tmp_path / "answers")
    cat = load_catalogue()
    got = gather(None, cat, answers=[folder])
    assert [t for t in got.targets if t.key == "stage"] == [
        TargetRecord("profile", "stage", 3, "Manual MLOps")]
    assert got.profile["decision_criticality"] == "high"
    assert len(got.answers) == 4  # no config without a repository
    write_tree(folder, {"profile.yaml": "needs_regulatory_compliance: maybe\n"})
    bad = gather(None, cat, answers=[folder])
    assert (bad.profile, bad.targets, len(bad.answers)) == ({}, [], 4)
    assert len(bad.problems) == 1 and bad.problems[0].startswith("profile not stored: ")


def _raw_engine(url: str) -> object:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url)


def test_the_schema_comes_up_from_empty_and_from_the_previous_revision(db_url: str) -> None:
    from alembic import command

    from mlkaizen.store.migrate import _config

    engine = _raw_engine(db_url)
    with engine.begin() as conn:  # type: ignore[attr-defined]
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")  # a store written by the previous version
    with engine.begin() as conn:  # type: ignore[attr-defined]
        assert NEW_TABLES.isdisjoint(inspect(conn).get_table_names())
        conn.execute(text("INSERT INTO subjects (key, name, created_at) "
                          "VALUES ('/old', 'old', '2025-01-01 00:00:00')"))
        subject = conn.execute(text("SELECT id FROM subjects")).scalar()
        conn.execute(text(
            "INSERT INTO assessments (subject_id, created_at, origin, stage, stage_index, "
            "levels, catalogue_id, catalogue_version, tool_version) VALUES (:s, "
            "'2025-01-01 00:00:00', 'assess', 'Ad hoc', 1, '{\"data\": 0}', 'ad-hoc-to-kaizen', "
            "'2026.12.0', '0.1.0')"), {"s": subject})
        old_id = conn.execute(text("SELECT id FROM assessments")).scalar()
        conn.execute(text(
            "INSERT INTO practice_results (assessment_id, practice, state, source, satisfied, "
            "evidence) VALUES (:a, 'model.experiment-tracking', 'met', 'detected', true, "
            "'[{\"detector\": \"experiment_tracking_used\", \"file\": \"train.py\", "
            "\"line\": 2, \"detail\": \"MLflow: mlflow.log_metric()\"}]')"), {"a": old_id})
    engine.dispose()  # type: ignore[attr-defined]
    store = open_store(db_url)  # brought up to the newest revision, the old rows kept
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            SCHEMA_HEAD)
        assert set(inspect(conn).get_table_names()) >= NEW_TABLES
    assert [(x.id, x.stage, x.answers, x.target) for x in log(store, "/old")] == [
        (old_id, "Ad hoc", 0, None)]
    snap = snapshot_of(assess_empty(), "now")
    since = since_previous(_stored(store, old_id), snap)
    assert [m.practice for m in since.lost] == [TRACK]
    assert since.lost[0].evidence_disappeared == [MLFLOW]
    saved = save(store, assess_empty(), key="/old", name="old",
                 inputs=Inputs(answers=[AnswerRecord("ann", TRACK, "no")]))
    assert load_inputs(store, saved.id).answers == [AnswerRecord("ann", TRACK, "no")]
    store.close()
    fresh_url = db_url.replace("mlkaizen.db", "fresh.db") if db_url.startswith("sqlite") else None
    if fresh_url is not None:  # and from empty, straight to the newest revision
        fresh = open_store(fresh_url)
        with fresh.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) >= NEW_TABLES
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                SCHEMA_HEAD)
        fresh.close()


def _stored(store: object, assessment_id: int) -> Snapshot:
    from mlkaizen.store.records import get

    return get(store, assessment_id)[0]  # type: ignore[arg-type]


_EMPTY: list[Assessment] = []


def assess_empty() -> Assessment:
    if not _EMPTY:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            _EMPTY.append(assess(write_tree(Path(tmp), {"README.md": "# x\n"}),
                                 sub_projects=False))
    return _EMPTY[0]


def test_the_engine_and_the_reports_never_import_the_store() -> None:
    import ast

    src = Path(__file__).resolve().parents[2] / "src" / "mlkaizen"
    files = [*(src / "engine").rglob("*.py"), *(src / "report").rglob("*.py"), src / "inputs.py"]
    importing = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            importing += [f"{path.name}: {n}" for n in names
                          if n.startswith(("mlkaizen.store", "mlkaizen.cli"))]
    assert len(files) > 20 and importing == []
