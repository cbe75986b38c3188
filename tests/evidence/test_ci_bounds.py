"""Finding CI pipelines stays bounded by counts and bytes over all pipelines of a scan:
templates and composite actions used many times over, many include entries and many CI
files each stop at a cap that is named in a warning, and the assessment is still made."""

from __future__ import annotations

import pytest

from mlkaizen.api import assess
from mlkaizen.evidence import ci_files
from mlkaizen.evidence.ci_files import find_pipelines
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo

TRAIN = "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n"


def _azure(roots: int, steps: int) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {"train.py": TRAIN}
    files["t/steps.yml"] = "steps:\n" + "".join(f"- script: echo {i}\n" for i in range(steps))
    for n in range(roots):
        files[f"pipes/p{n}.yml"] = (
            "trigger: none\npool: {vmImage: x}\nsteps:\n- template: ../t/steps.yml\n"
        )
    return files


def _steps(tree: RepoTree) -> int:
    return sum(len(job.steps) for pipe in find_pipelines(tree) for job in pipe.jobs)


def _limits(tree: RepoTree) -> list[str]:
    return [w.detail for w in tree.warnings if w.values.get("kind") == "limit"]


def test_template_fan_out_stops_at_the_scan_wide_step_cap(make_repo: MakeRepo) -> None:
    root = make_repo(_azure(roots=10, steps=30))
    whole = RepoTree(root)
    assert _steps(whole) == 300 and _limits(whole) == []
    tree = RepoTree(root, ScanLimits(max_ci_steps=100))
    pipes = find_pipelines(tree)
    assert len(pipes) == 10  # every pipeline is still found
    assert sum(len(job.steps) for pipe in pipes for job in pipe.jobs) == 100
    assert _limits(tree) == [
        "limit max_ci_steps=100 reached: CI templates and composite actions were not "
        "expanded further"
    ]
    assert tree.skipped["max_ci_steps"] == 1


def test_template_fan_out_stops_at_the_step_text_cap(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo(_azure(roots=10, steps=30)), ScanLimits(max_ci_text=400))
    # the steps of one pipeline are "echo 0" to "echo 29": 10 x 6 + 20 x 7 = 200 characters;
    # 400 hold two pipelines' steps exactly, and none of the third
    assert _steps(tree) == 60
    assert [d.split(":")[0] for d in _limits(tree)] == ["limit max_ci_text=400 reached"]


def test_composite_action_fan_out_is_bounded(make_repo: MakeRepo) -> None:
    leaf = "runs:\n  using: composite\n  steps:\n" + "".join(
        f"    - run: echo {i} {'y' * 50}\n" for i in range(20))
    mid = "runs:\n  using: composite\n  steps:\n" + "    - uses: ./.github/actions/b\n" * 20
    flow = ("on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n"
            + "      - uses: ./.github/actions/a\n" * 20)
    root = make_repo({"train.py": TRAIN, ".github/actions/b/action.yml": leaf,
                      ".github/actions/a/action.yml": mid, ".github/workflows/ci.yml": flow})
    whole = RepoTree(root)
    steps = find_pipelines(whole)[0].jobs[0].steps
    assert len(steps) == 20 and all(len(s.run) > 20 * 20 * 50 for s in steps)  # all expanded
    assert _limits(whole) == []
    # one use of ./a expands to 20 x 20 lines: over a per-step cap, it is not expanded
    small = RepoTree(root, ScanLimits(max_expansion_bytes=10_000))
    steps = find_pipelines(small)[0].jobs[0].steps
    assert [s.run for s in steps] == [""] * 20
    assert _limits(small)[0].startswith("limit max_expansion_bytes=10,000 reached: a composite")
    # the text of all expansions together is bounded too: building ./a's text takes 20
    # uses of ./b (about 24,000 characters), each use of ./a as much again: 2 fit in 80,000
    total = RepoTree(root, ScanLimits(max_ci_text=80_000))
    steps = find_pipelines(total)[0].jobs[0].steps
    assert sum(1 for s in steps if s.run) == 2
    assert [d.split(":")[0] for d in _limits(total)] == ["limit max_ci_text=80,000 reached"]


def test_gitlab_follows_at_most_its_own_include_limit(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ci_files, "MAX_GITLAB_INCLUDES", 5)
    files: dict[str, str | bytes] = {"train.py": TRAIN}
    files[".gitlab-ci.yml"] = "include:\n" + "".join(
        f"  - local: 'ci/p{i}*.yml'\n" for i in range(40)) + "test:\n  script: [pytest]\n"
    for i in range(40):
        files[f"ci/p{i}.yml"] = f"job{i}:\n  script: [echo {i}]\n"
    tree = RepoTree(make_repo(files))
    [pipe] = find_pipelines(tree)
    # the first 5 entries: ci/p0*.yml is p0; ci/p1*.yml is p1 and p10 to p19, and so on
    names = ["test", "job0", "job4"]
    names += [f"job{n}" for d in "123" for n in (d, *(d + k for k in "0123456789"))]
    assert sorted(j.name for j in pipe.jobs) == sorted(names)
    assert _limits(tree) == [
        "limit max_gitlab_includes=5 reached: later include entries of this pipeline are "
        "not followed (GitLab's own limit)"
    ]
    assert tree.skipped["gitlab_includes"] == 1


def test_ci_files_are_capped_before_they_are_parsed(make_repo: MakeRepo) -> None:
    flow = "on: push\njobs:\n  t:\n    steps: [{run: pytest}]\n"
    root = make_repo({f".github/workflows/w{i:02}.yml": flow for i in range(12)})
    tree = RepoTree(root, ScanLimits(max_ci_files=5))
    assert len(find_pipelines(tree)) == 5
    assert tree.files_read == 5  # the other 7 workflows were not even read
    assert _limits(tree) == ["limit max_ci_files=5 reached: later CI files are not parsed"]
    assert tree.skipped["max_ci_files"] == 7


def test_an_assessment_is_made_when_the_caps_are_hit(make_repo: MakeRepo) -> None:
    root = make_repo({**_azure(roots=10, steps=30), ".mlkaizen.yaml":
                      "limits: {max_ci_steps: 50, max_ci_text: 100000}\n"})
    a = assess(root)
    assert a.scan is not None and a.scan.skipped.get("max_ci_steps") == 1
    assert any(w.message.startswith("limit max_ci_steps=50 reached") for w in a.warnings)
    tracking = a.practice("model.experiment-tracking")
    assert tracking is not None and tracking.state.value == "met"
