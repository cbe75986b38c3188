"""`mlkaizen profile` asks what `mlkaizen edge-advice` needs, shows every prompt's choices, and
the advisor never recommends an edge architecture for a profile that does not run on the edge."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlkaizen.engine.edge import advise
from mlkaizen.engine.taxonomy import Profile
from mlkaizen.interview import run_profile

EDGE_INPUT = "y\nn\nn\nedge\ncontrol\nhigh\nlow\nhigh\nbatch\nmonthly\nhigh\nlow\n12\n1\n"
CLOUD_INPUT = "y\nn\nn\ncloud\nbatch\nmonthly\nhigh\nlow\n12\n1\n"


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], input=stdin, text=True,
                          capture_output=True, check=False)


def scripted(answers: str) -> tuple[dict[str, object], list[str]]:
    queue = answers.splitlines()
    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return queue.pop(0)

    return run_profile(ask, lambda _text: None), asked


def test_edge_deployment_asks_the_four_edge_factors() -> None:
    answers, asked = scripted(EDGE_INPUT)
    assert {k: answers[k] for k in ("task", "retraining_data", "edge_to_cloud_bandwidth",
                                    "device_compute")} == {
        "task": "control", "retraining_data": "high", "edge_to_cloud_bandwidth": "low",
        "device_compute": "high"}
    assert asked[4] == ("What does the model do on the device? "
                        "[perception/prediction/control/analytics]")
    assert len(asked) == 14


@pytest.mark.parametrize("where", ["cloud", "on-prem"])
def test_non_edge_deployment_does_not_ask_edge_factors(where: str) -> None:
    answers, asked = scripted(CLOUD_INPUT.replace("cloud", where))
    assert "task" not in answers and "device_compute" not in answers
    assert len(asked) == 10


def test_hybrid_asks_the_edge_factors_too() -> None:
    answers, _ = scripted(EDGE_INPUT.replace("edge", "hybrid"))
    assert answers["deployment"] == "hybrid" and answers["task"] == "control"


def test_prompts_show_their_choices_on_the_terminal(tmp_path: Path) -> None:
    out = tmp_path / "profile.yaml"
    proc = cli("profile", "--out", str(out), stdin=EDGE_INPUT)
    assert proc.returncode == 0, proc.stderr
    for shown in ("regulatory compliance? [yes/no]", "[cloud/edge/hybrid/on-prem]",
                  "[perception/prediction/control/analytics]", "[batch/real-time]",
                  "[daily/weekly/monthly/quarterly/yearly]", "work on it? [number]"):
        assert shown in proc.stdout, shown
    assert proc.stderr == f"mlkaizen: wrote {out} (profile)\n"
    advice = cli("edge-advice", "--profile", str(out))
    assert advice.returncode == 0
    assert "assumed" not in advice.stdout  # every factor was asked
    assert "Recommended: Federated training" in advice.stdout


@pytest.mark.parametrize("where", ["cloud", "on-prem"])
def test_edge_advice_never_recommends_an_edge_architecture_off_the_edge(where: str) -> None:
    profile = Profile(needs_regulatory_compliance=True, needs_operational_excellence=False,
                      deployment=where, task="control", edge_to_cloud_bandwidth="low",  # type: ignore[arg-type]
                      device_compute="high", retraining_data="high")
    advice = advise(profile)
    assert advice.recommended == "centralised"
    assert [o.id for o in advice.options] == ["centralised"]
    assert advice.options[0].adds == []
    assert f"deployment is {where}" in advice.note


def test_edge_advice_cli_for_a_cloud_profile(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({"needs_regulatory_compliance": False,
                                    "needs_operational_excellence": True,
                                    "deployment": "cloud"}))
    proc = cli("edge-advice", "--profile", str(path))
    assert proc.returncode == 0
    assert proc.stdout.startswith("Recommended: Centralised cloud")
    assert "No edge architecture: the profile's deployment is cloud" in proc.stdout
    assert "over-the-air" not in proc.stdout and "assumed" not in proc.stdout
    edge = path.read_text().replace("deployment: cloud", "deployment: edge")
    path.write_text(edge + "task: control\n")
    assert "over-the-air" in cli("edge-advice", "--profile", str(path)).stdout  # near miss
