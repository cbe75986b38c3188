"""Manifests an attacker or a careless user may give: what is not a regular file is never
read, and odd encodings, alias bombs, YAML tags and option-like locations are each a
one-line problem; nothing is run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.manifest import check_manifest_file, read_manifest


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False, cwd=cwd, timeout=300)


def test_a_fifo_a_device_and_a_folder_are_never_read(tmp_path: Path) -> None:
    fifo = tmp_path / "repos.txt"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")  # reading it would never end
    said = {}
    for path in (fifo, link, Path("/dev/zero"), tmp_path, tmp_path / "missing.txt"):
        with pytest.raises(MLKaizenError) as caught:
            check_manifest_file(path)
        said[path] = str(caught.value)
    assert said == {
        fifo: f"{fifo}: is not a regular file (a FIFO or a device); give the manifest file",
        link: f"{link}: is not a regular file (a FIFO or a device); give the manifest file",
        Path("/dev/zero"): "/dev/zero: is not a regular file (a FIFO or a device); give the "
                           "manifest file",
        tmp_path: f"{tmp_path}: is a folder; give the manifest file",
        tmp_path / "missing.txt": f"{tmp_path / 'missing.txt'}: no such manifest file",
    }


def test_a_regular_file_and_a_link_to_one_are_read(tmp_path: Path) -> None:
    """Near miss: a link to a regular file is a manifest like the file."""
    real = tmp_path / "real.txt"
    real.write_text("repo\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    check_manifest_file(real)
    check_manifest_file(link)


@pytest.mark.parametrize("command", [["fleet", "scan"], ["fleet", "schedule", "add", "nightly",
                                                          "--cron", "0 3 * * *"]])
def test_the_cli_refuses_a_fifo_manifest_in_one_line(tmp_path: Path, command: list[str]) -> None:
    fifo = tmp_path / "repos.txt"
    os.mkfifo(fifo)
    proc = cli(*command, str(fifo), "--db", f"sqlite:///{tmp_path / 'store.db'}")
    assert proc.returncode == 2
    assert proc.stderr == (f"mlkaizen: error: {fifo}: is not a regular file (a FIFO or a "
                           "device); give the manifest file\n")


def test_utf16_and_nul_bytes_are_one_line_each(tmp_path: Path) -> None:
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("repo\n".encode("utf-16"))  # with its byte-order mark
    with pytest.raises(MLKaizenError, match="manifest is not UTF-8 text"):
        read_manifest(str(utf16))
    found = read_manifest("repos.txt", "repo\x00\nother\r\n")
    assert found.problems == ["repos.txt:1: control characters in the line"]
    assert [e.location for e in found.entries] == [os.path.abspath("other")]


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for n, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[n]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append("repositories: *i")
    with pytest.raises(MLKaizenError, match="an alias bomb"):
        read_manifest("bomb.yaml", "\n".join(lines) + "\n")


def test_a_python_tag_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = (f"repositories:\n  - repo: !!python/object/apply:os.system "
            f"['touch {marker}']\n")
    with pytest.raises(MLKaizenError, match="could not determine a constructor"):
        read_manifest("tags.yaml", text)
    assert not marker.exists()


def test_option_like_and_command_running_locations_are_problems(tmp_path: Path) -> None:
    text = "\n".join([
        "--upload-pack=touch${IFS}x",
        "ssh://-oProxyCommand=touch%20x/repo",
        "ext::sh -c touch% x",
        "file:///srv/repo ref=--output=x",
        "repo path=../..",
        "https://example.com/ok.git",
    ]) + "\n"
    found = read_manifest("repos.txt", text)
    assert found.problems == [
        "repos.txt:1: a location may not start with '-' (git would read it as an option)",
        "repos.txt:2: a host or user starting with '-' is refused (ssh would read it as an "
        "option)",
        "repos.txt:3: transport 'ext::' refused (it runs a command); give an https, ssh or "
        "file URL, or a local path",
        "repos.txt:4: ref '--output=x' is not a valid branch, tag or commit name",
        "repos.txt:5: path '../..' must be a folder inside the repository (a/b)",
    ]
    assert [e.location for e in found.entries] == ["https://example.com/ok.git"]


def test_yaml_items_with_an_unknown_field_or_a_blank_location_are_said_so() -> None:
    text = ("repositories:\n"
            "  - repo: one\n    retries: 3\n"
            "  - repo: '   '\n"
            "  - repo: two\n    team: 7\n"
            "  - repo: ' three'\n")
    found = read_manifest("repos.yaml", text)
    assert found.problems == [
        "repos.yaml:2: unknown field 'retries' (expected ref, branch, commit, path, team, "
        "target)",
        "repos.yaml:4: empty location",
        "repos.yaml:5: team: must be text (quote it)",  # near miss: a known field, not text
    ]
    assert [e.location for e in found.entries] == [os.path.abspath(" three")]


def test_a_dashed_host_in_brackets_or_percent_encoded_is_refused() -> None:
    """Git unwraps ``[...]`` and decodes ``%2D`` before it hands the host to ssh (and then
    blocks it itself): the manifest refuses them first, as it does a plain dash."""
    dashed = ["[-oProxyCommand=x]:repo", "[git@-oProxyCommand=x]:repo",
              "ssh://[-oProxyCommand=x]/repo", "ssh://git@[-oProxyCommand=x]:22/repo",
              "ssh://%2DoProxyCommand=x/repo", "ssh://%2doProxyCommand=x@host/repo"]
    fine = ["ssh://[::1]/repo", "ssh://git@[::1]:22/repo", "[git@host:22]:repo",
            "ssh://host-name/repo", "git@host:-repo"]  # near misses: no dash where ssh reads
    found = read_manifest("repos.txt", "\n".join(dashed + fine) + "\n")
    assert found.problems == [
        f"repos.txt:{n}: a host or user starting with '-' is refused (ssh would read it as an "
        "option)" for n in range(1, len(dashed) + 1)
    ]
    assert [e.location for e in found.entries] == fine
