"""The fleet manifest: text and YAML forms, every refusal, duplicates, and what cannot be
read at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.manifest import location_kind, read_manifest, transport_refusal

EXT = ("transport 'ext::' refused (it runs a command); give an https, ssh or file URL, or a "
       "local path")
DASHED = "a host or user starting with '-' is refused (ssh would read it as an option)"
PASSWORD = "a password in the URL is refused; use ssh keys or a credential the environment gives"


def test_text_form_reads_paths_urls_and_fields(tmp_path: Path) -> None:
    (tmp_path / "churn").mkdir()
    text = (
        "# the fleet\n"
        "\n"
        "churn  team=risk target=\"Manual MLOps\"\n"
        "https://example.org/org/fraud.git ref=main path=/services/model/ team=fraud\n"
        "git@example.org:org/recsys.git commit=3f2a9c1  # pinned\n"
        "ssh://git@example.org/org/vision.git branch=release/2\n"
        "file:///srv/mirrors/ranker.git\n"
        f"{tmp_path}/missing target=Kaizen-ish\n"
    )
    m = read_manifest(str(tmp_path / "repos.txt"), text)
    assert m.problems == []
    got = [(e.location, e.kind, e.ref, e.subpath, e.team, e.target, e.line) for e in m.entries]
    assert got == [
        (str(tmp_path / "churn"), "path", None, None, "risk", "Manual MLOps", 3),
        ("https://example.org/org/fraud.git", "git", "main", "services/model", "fraud", None, 4),
        ("git@example.org:org/recsys.git", "git", "3f2a9c1", None, None, None, 5),
        ("ssh://git@example.org/org/vision.git", "git", "release/2", None, None, None, 6),
        ("file:///srv/mirrors/ranker.git", "git", None, None, None, None, 7),
        (str(tmp_path / "missing"), "path", None, None, None, "Kaizen-ish", 8),
    ]
    assert [e.key for e in m.entries][1:3] == [
        "https://example.org/org/fraud.git@main//services/model",
        "git@example.org:org/recsys.git@3f2a9c1",
    ]
    assert m.entries[2].name == "recsys@3f2a9c1"


def test_text_form_refusals_name_their_line_and_the_rest_stand(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = "\n".join([
        "https://example.org/a.git",  # 1
        f"ext::sh -c touch% {marker}",  # 2
        f"'ext::sh -c \"touch {marker}\"'",  # 3
        "fd::3",  # 4
        "foo::https://example.org/a.git",  # 5
        "http://example.org/a.git",  # 6
        "git://example.org/a.git",  # 7
        "https://bob:s3cret@example.org/a.git",  # 8
        "bob:s3cret@example.org:a.git",  # 9
        "-uhttps://example.org/a.git",  # 10
        "https://example.org/b.git\x1b[31m",  # 11
        "https://example.org/b.git colour=red",  # 12
        "https://example.org/b.git ref=a branch=b",  # 13
        "https://example.org/b.git ref=-delete",  # 14
        "https://example.org/b.git path=../up",  # 15
        "https://example.org/b.git 'unclosed",  # 16
        "https://example.org/b.git team",  # 17
        "ftp://example.org/b.git",  # 18
        "https:///b.git",  # 19
        "https://example.org/b.git ref=main ref=dev",  # 20
        "https://example.org/c.git ref=main",  # 21: stands
        "ssh://-oProxyCommand=touch%20x/r.git",  # 22
        "ssh://-u@example.org/r.git",  # 23
        "git@-oProxyCommand=x:r.git",  # 24
    ])
    m = read_manifest("repos.txt", text)
    assert m.problems == [
        f"repos.txt:2: {EXT}",
        f"repos.txt:3: {EXT}",
        "repos.txt:4: transport 'fd::' refused (it runs a command); give an https, ssh or file "
        "URL, or a local path",
        "repos.txt:5: transport 'foo::' refused (a remote helper); give an https, ssh or file "
        "URL, or a local path",
        "repos.txt:6: plain http:// is refused (no transport security); use https://",
        "repos.txt:7: git:// is refused (unauthenticated and unencrypted); use https:// or ssh://",
        f"repos.txt:8: {PASSWORD}",
        f"repos.txt:9: {PASSWORD}",
        "repos.txt:10: a location may not start with '-' (git would read it as an option)",
        "repos.txt:11: control characters in the line",
        "repos.txt:12: unknown field 'colour' (expected ref, branch, commit, path, team, target)",
        "repos.txt:13: give one of ref, branch, commit, not ref and branch",
        "repos.txt:14: ref '-delete' is not a valid branch, tag or commit name",
        "repos.txt:15: path '../up' must be a folder inside the repository (a/b)",
        "repos.txt:16: cannot read the line (no closing quotation)",
        "repos.txt:17: expected key=value after the location, found 'team'",
        "repos.txt:18: scheme 'ftp://' is not supported; use https://, ssh:// or file://",
        "repos.txt:19: no host in the https:// URL",
        "repos.txt:20: field 'ref' given twice",
        f"repos.txt:22: {DASHED}",
        f"repos.txt:23: {DASHED}",
        f"repos.txt:24: {DASHED}",
    ]
    assert [(e.location, e.ref, e.line) for e in m.entries] == [
        ("https://example.org/a.git", None, 1),
        ("https://example.org/c.git", "main", 21),
    ]
    assert not marker.exists()
    # the password is never repeated in a problem
    assert not any("s3cret" in p for p in m.problems)


def test_near_misses_are_accepted(tmp_path: Path) -> None:
    """What looks like a refusal but is not: a user without a password, a path with a
    colon after a slash, a ref with dots and slashes, ``git+`` in a path."""
    text = "\n".join([
        "https://bob@example.org/a.git",
        "./data:v2/repo",
        "https://example.org/b.git ref=release/1.2.x",
        "https://example.org/c.git ref=v1.0",
        "relative/ext::thing",
        "https://example.org/d.git path=.",
    ])
    m = read_manifest(str(tmp_path / "repos.txt"), text)
    assert m.problems == []
    assert [(e.location, e.kind, e.ref, e.subpath) for e in m.entries] == [
        ("https://bob@example.org/a.git", "git", None, None),
        (str(tmp_path / "data:v2" / "repo"), "path", None, None),
        ("https://example.org/b.git", "git", "release/1.2.x", None),
        ("https://example.org/c.git", "git", "v1.0", None),
        (str(tmp_path / "relative" / "ext::thing"), "path", None, None),
        ("https://example.org/d.git", "git", None, None),
    ]


def test_duplicates_name_both_lines_and_the_first_stands(tmp_path: Path) -> None:
    (tmp_path / "churn").mkdir()
    text = "\n".join([
        "https://example.org/a.git ref=main team=one",  # 1
        "churn",  # 2
        "https://example.org/a.git ref=main team=two",  # 3: same key
        "https://example.org/a.git ref=dev",  # 4: another ref: not a duplicate
        f"{tmp_path}/churn/",  # 5: the same folder
        "https://example.org/a.git ref=main path=svc",  # 6: a sub-path: not a duplicate
    ])
    m = read_manifest(str(tmp_path / "repos.txt"), text)
    assert m.problems == [
        f"{tmp_path}/repos.txt:3: duplicate of line 1 (https://example.org/a.git@main); left out",
        f"{tmp_path}/repos.txt:5: duplicate of line 2 ({tmp_path}/churn); left out",
    ]
    assert [(e.line, e.team) for e in m.entries] == [(1, "one"), (2, None), (4, None), (6, None)]


def test_yaml_form_list_and_mapping(tmp_path: Path) -> None:
    text = (
        "repositories:\n"
        "  - repo: https://example.org/org/fraud.git\n"  # 2
        "    branch: main\n"
        "    path: services/model\n"
        "    team: fraud\n"
        "    target: Manual MLOps\n"
        "  - repo: ../churn\n"  # 7
        "    commit: 0123456789abcdef0123456789abcdef01234567\n"
        "  - repo: ext::sh -c touch% x\n"  # 9
        "  - repo: https://example.org/b.git\n"  # 10
        "    ref: a\n"
        "    tag: b\n"
        "  - repo: https://example.org/c.git\n"  # 13
        "    ref: a\n"
        "    commit: '0123456'\n"
        "  - team: lost\n"  # 16
        "  - repo: https://example.org/d.git\n"  # 17
        "    commit: 0123456\n"
        "  - just-a-string\n"  # 19
        "  - repo: https://example.org/org/fraud.git\n"  # 20
        "    ref: main\n"
        "    path: services/model/\n"
    )
    m = read_manifest(str(tmp_path / "fleet" / "repos.yaml"), text)
    where = f"{tmp_path}/fleet/repos.yaml"
    assert m.problems == [
        f"{where}:9: {EXT}",
        f"{where}:10: unknown field 'tag' (expected ref, branch, commit, path, team, target)",
        f"{where}:13: give one of ref, branch, commit, not ref and commit",
        f"{where}:16: repo: is missing",
        f"{where}:17: commit: must be text (quote it)",
        f"{where}:17: item 8 of the list, after this line, is not a mapping (expected repo: "
        "and its fields)",
        f"{where}:20: duplicate of line 2 "
        "(https://example.org/org/fraud.git@main//services/model); left out",
    ]
    assert [(e.location, e.ref, e.subpath, e.team, e.target, e.line) for e in m.entries] == [
        ("https://example.org/org/fraud.git", "main", "services/model", "fraud",
         "Manual MLOps", 2),
        (str(tmp_path / "churn"), "0123456789abcdef0123456789abcdef01234567", None, None,
         None, 7),
    ]
    plain = read_manifest("r.yml", "- repo: https://example.org/a.git\n- repo: /srv/b\n")
    assert plain.problems == []
    assert [(e.kind, e.line) for e in plain.entries] == [("git", 1), ("path", 2)]


def test_a_manifest_that_cannot_be_read_raises_one_line(tmp_path: Path) -> None:
    with pytest.raises(MLKaizenError) as missing:
        read_manifest(str(tmp_path / "none.txt"))
    assert str(missing.value) == f"{tmp_path}/none.txt: manifest not found"
    with pytest.raises(MLKaizenError) as folder:
        read_manifest(str(tmp_path))
    assert str(folder.value) == f"{tmp_path}: manifest is a directory, not a file"
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"https://example.org/a.git\n\xff\xfe\n")
    with pytest.raises(MLKaizenError) as undecodable:
        read_manifest(str(binary))
    assert str(undecodable.value) == f"{binary}:2: manifest is not UTF-8 text"
    with pytest.raises(MLKaizenError) as bad_yaml:
        read_manifest("r.yaml", "repositories:\n  - repo: [unclosed\n")
    assert str(bad_yaml.value).startswith("r.yaml:3: invalid YAML")
    assert "\n" not in str(bad_yaml.value)
    with pytest.raises(MLKaizenError) as shape:
        read_manifest("r.yaml", "repositories: just text\n")
    assert str(shape.value) == (
        "r.yaml: expected a list of repositories, or a mapping with `repositories:`"
    )


def test_bounds(tmp_path: Path) -> None:
    from mlkaizen.fleet import manifest

    text = "".join(f"https://example.org/r{i}.git\n" for i in range(5))
    old = manifest.MAX_ENTRIES
    manifest.MAX_ENTRIES = 3
    try:
        m = read_manifest("r.txt", text)
    finally:
        manifest.MAX_ENTRIES = old
    assert len(m.entries) == 3
    assert m.problems == [
        "r.txt:4: limit of 3 entries reached; this entry and the rest are left out"
    ]
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(manifest.MAX_BYTES + 1)
    with pytest.raises(MLKaizenError) as over:
        read_manifest(str(big))
    assert str(over.value) == (
        f"{big}: manifest is 16,777,217 bytes, over the limit of 16,777,216"
    )


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("https://h/r.git", "git"),
        ("ssh://h/r.git", "git"),
        ("file:///srv/r.git", "git"),
        ("git@h:r.git", "git"),
        ("h:r.git", "git"),
        ("/srv/r", "path"),
        ("./h:r", "path"),
        ("r", "path"),
        ("C:/repos/r", "path"),
    ],
)
def test_location_kind(location: str, kind: str) -> None:
    assert location_kind(location) == kind
    assert transport_refusal(location) is None


def test_lines_are_numbered_as_an_editor_shows_them() -> None:
    """CRLF line ends are read; a form feed or a C1 control is a problem on its own line,
    not a line break (``str.splitlines`` would have split there and shifted the numbers)."""
    text = (
        "https://example.org/a.git\r\n"
        "https://example.org/b.git\x0cteam=x\r\n"
        "https://example.org/c.git\x85\n"
        "https://example.org/d.git  team='data science'  # quoted: read as a shell would\n"
        "https://example.org/e.git\tteam=ops#comment\n"
    )
    m = read_manifest("r.txt", text)
    assert m.problems == [
        "r.txt:2: control characters in the line",
        "r.txt:3: control characters in the line",
    ]
    assert [(e.location, e.team, e.line) for e in m.entries] == [
        ("https://example.org/a.git", None, 1),
        ("https://example.org/d.git", "data science", 4),
        ("https://example.org/e.git", "ops", 5),
    ]
