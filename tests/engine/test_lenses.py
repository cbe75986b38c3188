"""Framework lenses on hand-computed examples."""

from __future__ import annotations

import subprocess
import sys

from mlkaizen.engine.lenses import LENSES, google, marvelous, ml_test_score
from tests.conftest import EXAMPLE
from tests.engine.helpers import CATALOGUE, attest_all_undetectable, found, met_all_of_level, run


def everything():  # type: ignore[no-untyped-def]
    return run(met_all_of_level(3), attest_all_undetectable(3))


def test_everything_satisfied() -> None:
    a = everything()
    assert google(a, CATALOGUE).result == "level 2"
    assert LENSES["azure"](a, CATALOGUE).result == "level 4"
    # hand-computed: data 0.5 (data-1) + 0.5 (data-5) + 1 (data-7) = 2; model 3; infra 6;
    # monitor 5; the final score is the minimum, 2 (data-2,3,4,6 map to no practice)
    mts = ml_test_score(a, CATALOGUE)
    totals = {i.key: i.value for i in mts.items if i.key.endswith("total")}
    assert totals == {"data total": 2.0, "model total": 3.0, "infra total": 6.0,
                      "monitor total": 5.0}
    assert mts.result == "2"
    assert {"data-2", "data-3", "data-4", "data-6"} <= set(mts.undetermined)
    assert marvelous(a, CATALOGUE).result == "basic bar met"


def test_nothing_satisfied() -> None:
    a = run([])
    assert google(a, CATALOGUE).result == "level 0"
    assert ml_test_score(a, CATALOGUE).result == "0"
    lens = marvelous(a, CATALOGUE)
    assert lens.result == "basic bar not met"
    assert "data.documented-sources" in lens.undetermined  # unknown, not a "no"


def test_manual_scores_half_and_automated_scores_one() -> None:
    manual = ml_test_score(run([found("data_schema_declared")]), CATALOGUE)
    assert next(i.value for i in manual.items if i.key == "data-1") == 0.5
    automated = run([found("data_tests_present"), found("tests_run_in_ci")])
    assert next(i.value for i in ml_test_score(automated, CATALOGUE).items
                if i.key == "data-7") == 1.0


def test_lens_cli_formats() -> None:
    for fmt, marker in (("terminal", "Google MLOps level"), ("markdown", "## Azure"),
                        ("json", '"framework"')):
        lens = "google" if fmt == "terminal" else "azure" if fmt == "markdown" else "marvelous"
        proc = subprocess.run([sys.executable, "-m", "mlkaizen", "assess", str(EXAMPLE),
                               "--lens", lens, "-f", fmt], capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0 and marker in proc.stdout, proc.stderr
    bad = subprocess.run([sys.executable, "-m", "mlkaizen", "assess", str(EXAMPLE), "--lens",
                          "nope"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "expected one of" in bad.stderr
