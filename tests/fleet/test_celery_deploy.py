"""The deployment files: the compose file parses, starts what docs/fleet-deploy.md says, and
every command it (and the deployment guide) runs is a real `mlkaizen` command with real
options. Docker itself is not run here."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from functools import cache
from typing import Any

import yaml

from tests.conftest import ROOT

COMPOSE = ROOT / "deploy" / "compose.yaml"
GUIDE = ROOT / "docs" / "fleet-deploy.md"


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


@cache
def _help(words: tuple[str, ...]) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "mlkaizen", *words, "--help"],
                          capture_output=True, text=True, check=False)
    return proc.returncode, " ".join(proc.stdout.split())


def _real_command(argv: list[str]) -> None:
    """``argv`` (``mlkaizen ...``) names a command that exists, and each of its options."""
    assert argv[0] == "mlkaizen", argv
    words: list[str] = []
    for word in argv[1:]:
        if word.startswith("-") or "/" in word or "." in word:
            break
        code, _ = _help((*words, word))
        if code != 0:  # an argument (a name, a run id), not a sub-command
            break
        words.append(word)
    assert words, argv
    code, text = _help(tuple(words))
    assert code == 0, argv
    for option in (w.split("=")[0] for w in argv if w.startswith("-")):
        assert re.search(rf"(^|[ ,\[]){re.escape(option)}([ ,=/\]]|$)", text), (argv, option)


def test_the_compose_file_starts_the_store_the_broker_the_server_workers_and_one_beat() -> None:
    services = _services()
    assert sorted(services) == ["beat", "postgres", "redis", "server", "worker"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "--requirepass" in services["redis"]["command"]
    mlkaizen = {name: s for name, s in services.items() if s.get("command", [""])[0] == "mlkaizen"}
    assert sorted(mlkaizen) == ["beat", "server", "worker"]
    assert [s["command"][1] for s in mlkaizen.values()] == ["serve", "worker", "worker"]
    # the store and the broker from the environment only: workers elsewhere point them here
    for service in mlkaizen.values():
        assert {"MLKAIZEN_DB", "MLKAIZEN_BROKER"} <= set(service["environment"])
        assert service["environment"]["MLKAIZEN_DB"].startswith("${MLKAIZEN_DB:-postgresql")
        assert service["environment"]["MLKAIZEN_BROKER"].startswith("${MLKAIZEN_BROKER:-redis")
        assert not any(w.startswith(("--db", "--broker")) for w in service["command"])
    # exactly one beat; N workers; a worker stopped the way Ctrl-C stops it
    assert [name for name, s in mlkaizen.items() if "--beat" in s["command"]] == ["beat"]
    assert "--no-schedule" in services["server"]["command"]  # beat alone starts schedules
    assert services["worker"]["deploy"]["replicas"] == "${MLKAIZEN_WORKERS:-2}"
    assert services["worker"]["stop_signal"] == services["beat"]["stop_signal"] == "SIGINT"
    assert "pickle" not in COMPOSE.read_text()


def test_every_command_of_the_compose_file_is_a_real_mlkaizen_command() -> None:
    for service in _services().values():
        if service.get("command", [""])[0] == "mlkaizen":
            _real_command(service["command"])
    # and those its comments tell to run
    told = [line.split("mlkaizen ", 1)[1] for line in COMPOSE.read_text().splitlines()
            if line.lstrip().startswith("#") and " mlkaizen " in line]
    assert told
    for line in told:
        _real_command(["mlkaizen", *shlex.split(line.rstrip("\\ "))])


def test_every_command_of_the_deployment_guide_is_a_real_mlkaizen_command() -> None:
    found = re.findall(r"^\s*(?:docker compose .* )?(mlkaizen [^#`\n]+)",
                       "\n".join(_blocks(GUIDE.read_text())), flags=re.M)
    found += re.findall(r"`(mlkaizen [^`]+)`", GUIDE.read_text())
    assert len(found) >= 8
    for command in found:
        _real_command(shlex.split(command.rstrip("\\ ")))


def _blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_the_checker_refuses_a_made_up_command_or_option() -> None:
    # near misses: an unknown command, an unknown option of a real one
    for argv in (["mlkaizen", "wroker", "-c", "2"], ["mlkaizen", "worker", "--threads", "2"],
                 ["mlkaizen", "serve", "--no-such-flag"]):
        try:
            _real_command(argv)
        except AssertionError:
            continue
        raise AssertionError(f"accepted {argv}")
