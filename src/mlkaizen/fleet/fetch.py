"""Fetching a git URL into the fleet's cache: one bare repository per URL
(``<cache>/<sha256 of the URL, 24 hex>.git``), reused across runs and shared by concurrent
workers (an exclusive ``flock`` on ``<same>.lock`` beside it while one fetches).

Only what is scanned is fetched: the one commit of the ref (``--depth=1 --no-tags``) into a
ref of the cache, from which the commit is read straight from git objects; nothing is ever
checked out. Git runs with the scanner's neutralised settings
(:data:`~mlkaizen.evidence.gitcommit.OBJECT_GIT`, :func:`~mlkaizen.evidence.gitcommit.object_env`:
no hooks, fsmonitor, pager, signatures, system or global config), plus no credential
helper, no prompt, ssh in batch mode, and only the https, ssh and file transports (a
transport that runs a command, such as ``ext::``, is refused here again, before git sees
the URL, and by git itself).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mlkaizen.evidence.git import commit_time
from mlkaizen.evidence.gitcommit import OBJECT_GIT, object_env
from mlkaizen.fleet.errors import DiskFullError, JobError
from mlkaizen.fleet.manifest import location_kind, ref_problem, transport_refusal

ALLOWED_PROTOCOLS = "https:ssh:file"
NETWORK_GIT = [
    *OBJECT_GIT,
    "-c",
    "protocol.https.allow=always",
    "-c",
    "protocol.ssh.allow=always",
    "-c",
    "protocol.file.allow=always",
    "-c",
    "credential.helper=",
    "-c",
    "core.askPass=",
    "-c",
    "fetch.recurseSubmodules=false",
    "-c",
    "submodule.recurse=false",
    "-c",
    "gc.auto=0",
    "-c",
    "maintenance.auto=false",
    "-c",
    "fetch.writeCommitGraph=false",
]
# what a fetch may take from the caller's environment besides object_env(): the ssh agent
# (ssh itself finds keys and known hosts in the user's home from the password database,
# not from HOME, which stays /dev/null so that no ~/.gitconfig, .netrc or credential
# store is read), proxies and the certificate authorities of the machine
_NETWORK_ENV = (
    "SSH_AUTH_SOCK",
    "HTTPS_PROXY",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)
LOCAL_REF = "refs/mlkaizen/"
LOCK_POLL = 0.1  # seconds between tries of a lock another worker holds
_FULL_ID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_SHORT_ID = re.compile(r"^[0-9a-f]{4,39}$")
# git's messages for a ref the remote does not have (trying again cannot help)
_NO_REF = (
    "couldn't find remote ref",
    "not our ref",
    "unadvertised object",
    "no such ref",
)
# git's messages for a URL it refuses before reaching any remote (an encoded newline, a
# host or port ssh would read as an option): trying again cannot help
_REFUSED_URL = (
    "fatal: credential url cannot be parsed",
    "fatal: strange hostname",
    "fatal: strange port",
)
# git's word for a remote that cannot send the objects it has (a damaged repository: trying
# again cannot help)
_DAMAGED = "possible repository corruption on the remote side"
# a credential a message may carry (in a URL's user info), hidden before it is shown
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")


@dataclass(frozen=True)
class Fetched:
    repo: Path  # the bare cache repository
    commit: str
    commit_date: dt.datetime | None


def cache_path(cache: Path, url: str) -> Path:
    """The bare repository of ``url`` in ``cache``."""
    return cache / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()[:24]}.git"


def network_env() -> dict[str, str]:
    env = object_env()
    env.update({k: os.environ[k] for k in _NETWORK_ENV if k in os.environ})
    env.update(
        {
            "GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
        }
    )
    return env


def redact(text: str) -> str:
    """``text`` with the user info of any URL in it hidden (it may hold a credential)."""
    return _USERINFO.sub(r"\1***@", text)


def fetch(url: str, ref: str | None, cache: Path, *, timeout: float) -> Fetched:
    """Fetch ``ref`` of ``url`` (the remote's HEAD when ``None``) into the cache, within
    ``timeout`` seconds; the commit and its date. Raises :class:`JobError` (one line, no
    credential; permanent for a refused URL or a ref the remote does not have) or
    :class:`DiskFullError`."""
    refused = transport_refusal(url)
    if refused is None and location_kind(url) != "git":
        refused = "not a git URL"
    if refused is not None:
        raise JobError(f"{redact(url)}: {refused}", permanent=True)
    if ref is not None and (why := ref_problem(ref)) is not None:
        raise JobError(f"{redact(url)}: {why}", permanent=True)
    ends = time.monotonic() + timeout
    repo = cache_path(cache, url)
    with _disk_full_as_error(cache), _locked(repo.with_suffix(".lock"), ends, url):
        _init(repo, ends, url)
        local = LOCAL_REF + hashlib.sha256((ref or "HEAD").encode()).hexdigest()[:16]
        if ref is not None and _FULL_ID.match(ref) and _has_commit(repo, ref, ends, url):
            # a commit never changes: the cache already holds all that is scanned
            _git(repo, ["update-ref", local, ref], ends, url)
        else:
            _fetch(repo, url, ref, local, ends)
        out = _git(repo, ["log", "-1", "--format=%H%x1f%ct", f"{local}^{{commit}}"], ends, url)
    sha, _, stamp = out.stdout.decode("ascii", "replace").strip().partition("\x1f")
    return Fetched(repo, sha, commit_time(stamp))


def _has_commit(repo: Path, sha: str, ends: float, url: str) -> bool:
    proc = _git(repo, ["cat-file", "-e", f"{sha}^{{commit}}"], ends, url, check=False)
    return proc.returncode == 0


def _disk_full(cache: Path) -> DiskFullError:
    return DiskFullError(f"the disk of the fleet cache {cache} is full (no space left on device)")


@contextlib.contextmanager
def _disk_full_as_error(cache: Path) -> Iterator[None]:
    """An error of the cache's file system as a job's: a full disk stops the run."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise _disk_full(cache) from None
        if exc.errno in (errno.EEXIST, errno.ENOTDIR):  # a file where a folder must be
            raise JobError(f"the fleet cache {cache} cannot be used: it, or a folder of its "
                           "path, is a file (give a folder with --cache)") from None
        raise JobError(f"the fleet cache {cache} cannot be used: {exc.strerror or exc}") \
            from None


@contextlib.contextmanager
def _locked(lock: Path, ends: float, url: str) -> Iterator[None]:
    """Hold the lock file ``lock`` exclusively (another worker fetching the same URL
    waits), giving up at ``ends``."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        # never through a symbolic link: opening one would make or lock a file elsewhere
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise JobError(f"the fleet cache's lock file {lock} is a symbolic link; remove it "
                       "(the cache makes its own)") from None
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= ends:
                    raise JobError(
                        f"{redact(url)}: another worker held the cache's lock past the "
                        "time limit"
                    ) from None
                time.sleep(LOCK_POLL)
        yield
    finally:
        os.close(fd)  # releases the lock


def _init(repo: Path, ends: float, url: str) -> None:
    """A bare repository at ``repo`` (one a killed worker left half made, or anything else
    in its place, is made again: the cache's name is its own)."""
    if not repo.is_symlink() and all(
        (repo / name).is_dir() and not (repo / name).is_symlink() for name in ("objects", "refs")
    ) and (repo / "HEAD").is_file():
        return
    if repo.is_symlink() or repo.is_file():  # never followed: a fetch writes only in the cache
        repo.unlink()
    shutil.rmtree(repo, ignore_errors=True)
    for left in repo.parent.glob(repo.name + ".new-*"):  # made by a worker killed meanwhile
        shutil.rmtree(left, ignore_errors=True)
    fresh = repo.with_name(repo.name + f".new-{os.getpid()}")
    _git(None, ["init", "--bare", "--quiet", "--template=", str(fresh)], ends, url)
    os.rename(fresh, repo)


def _git(
    repo: Path | None,
    args: list[str],
    ends: float,
    url: str,
    *,
    check: bool = True,
    network: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """``git ARGS`` on the bare repository ``repo`` (a new process group, all of it killed
    at ``ends`` or when this is interrupted); a failure as :class:`JobError`."""
    where = [f"--git-dir={repo}"] if repo is not None else []
    command = [*(NETWORK_GIT if network else OBJECT_GIT), *where, *args]
    left = ends - time.monotonic()
    if left <= 0:
        raise JobError(f"{redact(url)}: out of time before git {args[0]}")
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=network_env() if network else object_env(),
            start_new_session=True,
        )
    except FileNotFoundError:
        raise JobError("git is not installed (it must be on the PATH)") from None
    try:
        out, err = proc.communicate(timeout=left)
    except subprocess.TimeoutExpired:
        raise JobError(f"{redact(url)}: git {args[0]} took over the job's time limit") from None
    finally:
        if proc.poll() is None:  # timed out, or the job's own alarm went off
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    done = subprocess.CompletedProcess(command, proc.returncode, out, err)
    if not check or proc.returncode == 0:
        return done
    text = err.decode("utf-8", "replace")
    if "no space left on device" in text.lower():
        # the cache: the repository's folder (or that of the one `init` makes)
        raise _disk_full(repo.parent if repo is not None else Path(args[-1]).parent)
    line = _first_error(text) or f"exit {proc.returncode}"
    raise JobError(f"{redact(url)}: git {args[0]} failed: {redact(line)}")


def _fetch(repo: Path, url: str, ref: str | None, local: str, ends: float) -> None:
    """Fetch the one commit of ``ref`` into the cache's ref ``local``. A ref the remote
    does not have is a permanent failure; anything else (unreachable, not found, refused
    credentials) may pass, so it is retried."""
    proc = _git(
        repo,
        ["fetch", "--depth=1", "--no-tags", "--no-write-fetch-head",
         "--no-recurse-submodules", "--quiet", "--", url, f"+{ref or 'HEAD'}:{local}"],
        ends,
        url,
        check=False,
        network=True,
    )
    if proc.returncode == 0:
        return
    text = proc.stderr.decode("utf-8", "replace")
    if "no space left on device" in text.lower():
        raise _disk_full(repo.parent)
    line = redact(_first_error(text) or f"exit {proc.returncode}")
    if any(sign in text for sign in _NO_REF):
        what = f"ref {ref!r}" if ref else "the default branch"
        hint = ""
        if ref is not None and _SHORT_ID.match(ref):
            hint = " (a commit is fetched by its full id)"
        raise JobError(f"{redact(url)}: {what} not found: {line}{hint}", permanent=True)
    if any(sign in text for sign in _REFUSED_URL):
        raise JobError(f"{redact(url)}: git refuses the URL: {line}", permanent=True)
    if _DAMAGED in text:
        said = redact(_first_error(text, remote=True))
        raise JobError(
            f"{redact(url)}: the remote repository is damaged ({said}); fetch it again once "
            "it is repaired",
            permanent=True,
        )
    raise JobError(f"{redact(url)}: fetch failed: {line}")


def _first_error(text: str, *, remote: bool = False) -> str:
    """The line of git's output that says what went wrong (a ``fatal:`` or ``error:`` one
    first; with ``remote``, the remote side's own first), without the prefix, cut short."""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    if remote:
        lines = [x.removeprefix("remote:").strip() for x in lines if x.startswith("remote:")]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line[len(prefix):][:300]
    return lines[0][:300] if lines else ""
