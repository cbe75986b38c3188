"""Project configuration: ``.mlkaizen.yaml`` or ``[tool.mlkaizen]`` in ``pyproject.toml``.

Declares practices that do not apply, time-boxed exemptions, attested answers for what code
cannot show, a catalogue choice and a sub-path scope.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mlkaizen.errors import MLKaizenError
from mlkaizen.formats.datafile import first_error, line_of, load_yaml_mapping

CONFIG_FILES = (".mlkaizen.yaml", ".mlkaizen.yml")
MAX_CONFIG_BYTES = 1024 * 1024
Answer = Literal["yes", "partly", "no", "not-applicable", "unknown"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NotApplicable(_Strict):
    reason: str = Field(min_length=3)


class Exemption(_Strict):
    reason: str = Field(min_length=3)
    owner: str = Field(min_length=1)
    expires: dt.date


class Attestation(_Strict):
    answer: Answer
    by: str = Field(min_length=1)
    date: dt.date
    link: str | None = None
    comment: str | None = None

    @field_validator("answer", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: Any) -> Any:
        # YAML 1.1 reads bare yes/no as booleans
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value


class Limits(_Strict):
    """Scan limits (defaults in :class:`mlkaizen.evidence.limits.ScanLimits`)."""

    max_file_bytes: int | None = Field(default=None, gt=0)
    max_notebook_bytes: int | None = Field(default=None, gt=0)
    max_files: int | None = Field(default=None, gt=0)
    max_bytes_read: int | None = Field(default=None, gt=0)
    max_yaml_nodes: int | None = Field(default=None, gt=0)
    max_yaml_depth: int | None = Field(default=None, gt=0)
    max_parse_bytes: int | None = Field(default=None, gt=0)
    max_yaml_bytes: int | None = Field(default=None, gt=0)
    parse_timeout: float | None = Field(default=None, ge=0)
    max_parse_seconds: float | None = Field(default=None, gt=0)
    max_dir_depth: int | None = Field(default=None, gt=0)
    max_gitignore_bytes: int | None = Field(default=None, gt=0)
    max_gitignore_patterns: int | None = Field(default=None, gt=0)
    max_ci_files: int | None = Field(default=None, gt=0)
    max_ci_jobs: int | None = Field(default=None, gt=0)
    max_ci_steps: int | None = Field(default=None, gt=0)
    max_ci_text: int | None = Field(default=None, gt=0)
    max_requirement_lines: int | None = Field(default=None, gt=0)
    max_expansion_bytes: int | None = Field(default=None, gt=0)
    max_expansion_total: int | None = Field(default=None, gt=0)

    def overrides(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Config(_Strict):
    catalogue: str | None = None
    limits: Limits = Field(default_factory=Limits)
    scope: str | None = None
    not_applicable: dict[str, NotApplicable] = Field(default_factory=dict)
    exempt: dict[str, Exemption] = Field(default_factory=dict)
    attest: dict[str, Attestation] = Field(default_factory=dict)
    source: str | None = Field(default=None, exclude=True)

    def check_practices(self, known: set[str]) -> None:
        """Every practice id named in the config must exist in the catalogue."""
        for section in ("not_applicable", "exempt", "attest"):
            for pid in getattr(self, section):
                if pid not in known:
                    raise MLKaizenError(
                        f"{section}: unknown practice {pid!r} (see `mlkaizen model show`)",
                        self.source,
                        _find_line(self.source, pid),
                    )


def _find_line(path: str | None, needle: str) -> int | None:
    if path is None:
        return None
    from mlkaizen.fsio.read import read_text

    try:
        text = read_text(Path(path), "config file", MAX_CONFIG_BYTES)
    except MLKaizenError:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """The config for a scan root: an explicit file, ``.mlkaizen.yaml``, pyproject, or none."""
    if explicit is not None:
        return _load_file(explicit)
    for name in CONFIG_FILES:
        if (root / name).is_file() and not (root / name).is_symlink():
            return _load_file(root / name)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and not pyproject.is_symlink():
        import tomllib  # on first use: most runs read no TOML

        from mlkaizen.fsio.read import read_text

        try:
            doc = tomllib.loads(read_text(pyproject, "pyproject.toml", MAX_CONFIG_BYTES))
        except (tomllib.TOMLDecodeError, MLKaizenError):
            return Config()  # a broken pyproject is the scan's business (a warning), not ours
        section = doc.get("tool", {}).get("mlkaizen")
        if isinstance(section, dict):
            return _validate(section, str(pyproject), None)
    return Config()


def config_of_files(texts: dict[str, str], display: dict[str, str]) -> Config:
    """The config among a commit's files (name -> text), found as :func:`load_config` finds
    it in a folder: ``.mlkaizen.yaml``, ``.mlkaizen.yml``, then ``[tool.mlkaizen]`` of
    ``pyproject.toml``. ``display`` names each file in messages and as the config's source."""
    for name in CONFIG_FILES:
        if name in texts:
            return _validate(load_yaml_mapping(texts[name], display[name]), display[name],
                             texts[name])
    section = tool_section(texts.get("pyproject.toml"))
    if isinstance(section, dict):
        return _validate(section, display["pyproject.toml"], None)
    return Config()


def tool_section(pyproject: str | None) -> object:
    """``[tool.mlkaizen]`` of a pyproject text (``None`` when absent or the TOML is broken)."""
    if pyproject is None:
        return None
    import tomllib

    try:
        doc = tomllib.loads(pyproject)
    except (tomllib.TOMLDecodeError, RecursionError):  # broken, or nested past the stack
        return None
    tool = doc.get("tool")
    return tool.get("mlkaizen") if isinstance(tool, dict) else None


def _load_file(path: Path) -> Config:
    from mlkaizen.fsio.read import read_text

    display = str(path)
    text = read_text(path, "config file", MAX_CONFIG_BYTES)
    if path.suffix == ".toml":
        import tomllib

        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"at line (\d+)", str(exc))
            raise MLKaizenError(
                f"invalid TOML: {exc}", display, int(match.group(1)) if match else None
            ) from None
        except RecursionError:
            raise MLKaizenError("invalid TOML: nested too deeply", display) from None
        tool = doc.get("tool", {})
        section = tool.get("mlkaizen", doc) if isinstance(tool, dict) else doc
        if not isinstance(section, dict):
            raise MLKaizenError("[tool.mlkaizen] must be a table", display)
        return _validate(section, display, None)
    return _validate(load_yaml_mapping(text, display), display, text)


def _validate(data: dict[str, Any], display: str, text: str | None) -> Config:
    try:
        return Config.model_validate({**data, "source": display})
    except ValidationError as exc:
        loc, message, kind = first_error(exc)
        line = line_of(text, loc) if text is not None else _find_line(display, str(loc[-1]))
        hint = " (expected YYYY-MM-DD)" if "date" in kind else ""
        raise MLKaizenError(f"{message}{hint}", display, line) from None
