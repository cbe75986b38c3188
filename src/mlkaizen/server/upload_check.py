"""An upload checked before anything of it is stored: its size (the ``Content-Length`` it
claims and the bytes actually read), JSON, the report's schema version (1.x), the report
itself (the :class:`~mlkaizen.engine.model.Assessment` model), its catalogue (one this
server knows: the built-in one or an installed plugin's, never a file an upload names), its
practices, dimensions and stage (that catalogue's), the subject's key, name, team and
target, and the forge link (``http`` or ``https`` only; the server never fetches it)."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from pydantic import BaseModel, ConfigDict, ValidationError

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.engine.model import Assessment, Source
from mlkaizen.errors import MLKaizenError
from mlkaizen.store.uploads import Upload

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 20
MAX_KEY = 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_NAME = 512
MAX_TEAM = 128
MAX_LINK = 2048
MAX_IDEMPOTENCY_KEY = 128
MAX_SHORT = 64  # catalogue version, tool version, commit


class UploadError(Exception):
    """Why an upload is refused: an HTTP status, one line, and the details."""

    def __init__(self, status: int, error: str, problems: list[str] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.problems = problems or []


class SubjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    name: str | None = None
    team: str | None = None
    target: str | None = None


class UploadIn(BaseModel):
    """The body of an upload."""

    model_config = ConfigDict(extra="forbid")

    subject: SubjectIn
    link_base: str | None = None
    assessment: Assessment


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused with 413 once it is over ``limit`` bytes (what the
    ``Content-Length`` header claims, then what actually arrives)."""
    too_big = UploadError(413, f"the upload is over the limit of {limit} bytes")
    claimed = request.headers.get("content-length")
    if claimed is not None:
        if not claimed.strip().isdigit():
            raise UploadError(400, "Content-Length is not a number")
        if int(claimed) > limit:
            raise too_big
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def check_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not value or len(value) > MAX_IDEMPOTENCY_KEY or not all(
        "\x21" <= c <= "\x7e" for c in value
    ):
        raise UploadError(
            400, f"Idempotency-Key: give 1 to {MAX_IDEMPOTENCY_KEY} printable ASCII characters "
                 "(no spaces)"
        )
    return value


def check_link(value: str | None, where: str = "link_base") -> str | None:
    """``None``, or an ``http(s)://host/...`` URL (never ``javascript:`` or a relative one)."""
    if value is None:
        return None
    problem = None
    if len(value) > MAX_LINK:
        problem = f"{where}: at most {MAX_LINK} characters"
    elif any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        problem = f"{where}: no spaces or control characters in a URL"
    else:
        try:
            parts = urlsplit(value)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:
            ok = False
        if not ok:
            problem = f"{where}: give an http:// or https:// URL of the forge, such as " \
                      "https://git.example.com/team/repo/blob/main"
    if problem is not None:
        raise UploadError(422, problem, [problem])
    return value


def _problems(exc: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
        for e in exc.errors()[:MAX_PROBLEMS]
    ]


@cache
def catalogue_ids() -> tuple[str, ...]:
    """The catalogues this server judges uploads against: the built-in one and those of
    installed plugins (by id; never a file named in an upload)."""
    from mlkaizen.catalogue.loader import BUILTIN, plugin_catalogues

    try:
        plugins = sorted(plugin_catalogues())
    except MLKaizenError:
        plugins = []
    return (BUILTIN, *plugins)


def catalogue(catalogue_id: str) -> Catalogue | None:
    """The catalogue of that id, if this server knows it."""
    if catalogue_id not in catalogue_ids():
        return None
    from mlkaizen.catalogue.loader import BUILTIN
    from mlkaizen.catalogues import load_catalogue

    return load_catalogue(None if catalogue_id == BUILTIN else catalogue_id)


def _check_against(a: Assessment, cat: Catalogue) -> None:
    known = {p.id for p in cat.practices}
    unknown = sorted({p.id for p in a.practices} - known)
    if unknown:
        shown = ", ".join(unknown[:MAX_PROBLEMS]) + (" ..." if len(unknown) > MAX_PROBLEMS
                                                     else "")
        raise UploadError(
            422, f"practices not in catalogue {cat.id!r}: {shown}",
            [f"assessment.practices: {pid!r} is not a practice of {cat.id!r}"
             for pid in unknown[:MAX_PROBLEMS]],
        )
    dimensions = {d.id for d in cat.dimensions}
    strange = sorted({d.id for d in a.dimensions} - dimensions)
    if strange:
        raise UploadError(422, f"dimensions not in catalogue {cat.id!r}: {', '.join(strange)}",
                          [f"assessment.dimensions: {d!r} is not a dimension of {cat.id!r}"
                           for d in strange[:MAX_PROBLEMS]])
    levels = {lv.value for lv in cat.levels}
    wrong = [f"assessment.dimensions: {d.id!r} has level {n}, not one of {cat.id!r}'s levels"
             for d in a.dimensions for n in (d.level, d.potential_level) if n not in levels]
    if wrong:
        raise UploadError(422, wrong[0][:300], [w[:300] for w in wrong[:MAX_PROBLEMS]])
    stages = {s.index: s.name for s in cat.stages}
    if stages.get(a.stage_index) != a.stage:
        problem = (f"assessment.stage: {a.stage!r} at index {a.stage_index} is not a stage "
                   f"of {cat.id!r} ({', '.join(stages[i] for i in sorted(stages))})")
        raise UploadError(422, problem, [problem])


def _check_lengths(a: Assessment) -> list[str]:
    problems = []
    for where, value in (("assessment.tool_version", a.tool_version),
                         ("assessment.catalogue.version", a.catalogue.get("version", ""))):
        if len(value) > MAX_SHORT:
            problems.append(f"{where}: at most {MAX_SHORT} characters")
    if "version" not in a.catalogue:
        problems.append("assessment.catalogue.version: Field required")
    problems += [
        f"assessment.practices: the attestation note of {p.id!r} is over 256 characters"
        for p in a.practices if p.source is Source.ATTESTED and len(p.note) > 256
    ]
    return problems


def parse_upload(body: bytes, *, stage_names: list[str], idempotency_key: str | None,
                 uploaded_by: str) -> Upload:
    """The upload in ``body``, or :class:`UploadError` saying what is wrong with it."""

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        data = json.loads(body.decode("utf-8"), parse_constant=constant)
    except (ValueError, RecursionError) as exc:
        raise UploadError(400, f"the body is not JSON: {str(exc)[:200]}") from None
    if not isinstance(data, dict):
        raise UploadError(422, "the body must be a JSON object",
                          ["body: expected an object with subject and assessment"])
    report = data.get("assessment")
    if isinstance(report, dict):
        version = report.get("schema_version")
        if not isinstance(version, str):
            problem = "assessment.schema_version: missing, or not a string such as \"1.5\""
            raise UploadError(422, problem, [problem])
        if version.split(".", 1)[0] != "1":
            raise UploadError(
                422, f"assessment schema_version {version[:32]!r} is not supported: this "
                     "server reads 1.x (upgrade the server, or assess with a matching version)",
                [f"assessment.schema_version: {version[:32]!r} is not 1.x"])
    try:
        parsed = UploadIn.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
        raise UploadError(422, "the upload does not match the expected shape: "
                          + "; ".join(problems[:3]), problems) from None
    s, a = parsed.subject, parsed.assessment
    problems = []
    if not s.key.strip():
        problems.append("subject.key: empty")
    elif len(s.key) > MAX_KEY:
        problems.append(f"subject.key: at most {MAX_KEY} characters")
    if s.name is not None and not (s.name.strip() and len(s.name) <= MAX_NAME):
        problems.append(f"subject.name: 1 to {MAX_NAME} characters")
    if s.team is not None and not (s.team.strip() and len(s.team) <= MAX_TEAM):
        problems.append(f"subject.team: 1 to {MAX_TEAM} characters")
    for where, value in (("subject.key", s.key), ("subject.name", s.name),
                         ("subject.team", s.team)):
        if value is not None and _CONTROL.search(value):
            problems.append(f"{where}: no control characters (such as NUL)")
    if s.target is not None and s.target not in stage_names:
        problems.append(f"subject.target: {s.target[:64]!r} is not a stage "
                        f"({', '.join(stage_names)})")
    problems += _check_lengths(a)
    if problems:
        raise UploadError(422, "; ".join(problems[:3]), problems[:MAX_PROBLEMS])
    check_link(parsed.link_base)
    cat_id = a.catalogue.get("id", "")
    try:
        cat = catalogue(cat_id)
    except MLKaizenError:  # an installed plugin's broken catalogue: the server's problem
        raise UploadError(422, f"catalogue {cat_id[:128]!r} is installed on this server but "
                               "does not load; tell the server's administrator") from None
    if cat is None:
        raise UploadError(
            422, f"catalogue {cat_id[:128]!r} is unknown to this server (it knows "
                 f"{', '.join(catalogue_ids())})",
            [f"assessment.catalogue.id: {cat_id[:128]!r} is not installed here"])
    _check_against(a, cat)
    return Upload(a, s.key, name=s.name, team=s.team, target=s.target,
                  link_base=parsed.link_base, idempotency_key=idempotency_key,
                  uploaded_by=uploaded_by[:128])


__all__ = ["MAX_UPLOAD_BYTES", "UploadError", "UploadIn", "catalogue", "catalogue_ids",
           "check_idempotency_key", "check_link", "parse_upload", "read_body"]
