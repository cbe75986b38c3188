"""Data versioning and shared data storage: DVC, git-lfs, lakeFS, Delta, remote stores."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.model_fetch import data_not_models, names_a_model
from mlkaizen.evidence.detectors.notebook_runs import by_hand_in_notebooks
from mlkaizen.evidence.detectors.platform_config import config_findings
from mlkaizen.evidence.detectors.storage_env import env_store_reads
from mlkaizen.evidence.detectors.text_search import line_at, search_files
from mlkaizen.evidence.detectors.usage import Signature, find_usage
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.textfmt import counted

DATA_SUFFIXES = tuple(sorted(vocabulary().data_suffixes))
MEDIA_SUFFIXES = tuple(sorted(vocabulary().media_suffixes))
DATA_FOLDERS = frozenset({"data", "dataset", "datasets"})
_LFS = re.compile(r"^(\S+)\s.*\bfilter=lfs\b", re.MULTILINE)
_CONFIG_PATH = re.compile(r"(conf|param|setting|\.env|storage|dvc)", re.I)
# an object-store URI in code, a path in a bucket or an S3 or GCS bucket itself
# (``"s3://team-data"``); an f-string may fill the bucket in (``f"s3://{bucket}/data"``)
_OBJECT_STORE_SCHEMES = ("s3", "s3a", "gs", "abfs", "abfss", "az", "hdfs", "wasb", "wasbs")
_SCHEME = "(?:" + "|".join(sorted(_OBJECT_STORE_SCHEMES, key=len, reverse=True)) + ")"
_CODE_URI = re.compile(
    r"[\"'](" + _SCHEME +
    r"://(?:[\w.\-@]|\{[^{}\"'\n]*\})+/[^\"'\s]*"
    # a bucket named alone (a settings module's data root), its name begun by a letter or a
    # digit (not ``s3://...``) or filled in (``f"s3://{BUCKET}"``), the quote closing it
    # escaped in a notebook's JSON
    r"|(?:s3a?|gs)://(?:[a-z0-9][a-z0-9.\-]{2,62}|\{[^{}\"'\n]+\})(?=\\?[\"'])"
    r"|dbfs:/[^\"'\s]+"
    # the Databricks file system's mount; a library installed from it (a wheel, a jar) is not
    # data. (Unity Catalog's /Volumes/... reads like a macOS disk's path: not taken alone.)
    r"|/dbfs/(?![^\"'\s]*\.(?:whl|jar|egg)[\"'])[^\"'\s]+"
    # a scheme joined to a bucket name computed at run time: 's3://' + bucket
    r"|" + _SCHEME + r"://(?=[\"']\s*\+))"
)
_LONGEST_SCHEME = max(map(len, _OBJECT_STORE_SCHEMES))
def _object_store_uri_possible(text: str) -> bool:
    """Whether ``text`` has ``dbfs:/``, ``/dbfs/`` or a ``://`` right after an object-store
    scheme, as every match of ``_CODE_URI`` does: a few substring searches, where the pattern
    itself, tried at every quote of a notebook's JSON, took a notebook collection's largest
    share of time."""
    if "dbfs:/" in text or "/dbfs/" in text:
        return True
    at = text.find("://")
    while at != -1:
        if text[max(0, at - _LONGEST_SCHEME) : at].endswith(_OBJECT_STORE_SCHEMES):
            return True
        at = text.find("://", at + 3)
    return False


_LAKEFS_URI = re.compile(r"lakefs://")
_REMOTE_URL = re.compile(r"\b(s3|gs|gcs|azure|abfss?|wasbs?|hdfs|ssh|oss|webdav)://[\w.\-/]+")


@detector("dvc_tracks_data")
def dvc_tracks_data(tree: RepoTree) -> list[Finding]:
    """Data files are tracked by DVC (``.dvc`` pointers, ``dvc.lock`` or stage outs).

    Why: versioned data lets a model be traced to exactly what it was trained on.
    Evidence: ``*.dvc`` pointer files with ``outs``, a ``dvc.lock``, or ``outs`` in ``dvc.yaml``.
    Not evidence: a ``.dvc/`` folder alone (``dvc init`` with nothing tracked is reported
    partial); a pointer whose every output is a trained model (``best-checkpoint.ckpt``,
    ``model.pkl``): that versions the model, not the data it was trained on.
    """
    out: list[Finding] = []
    pointers = [f for f in tree.with_suffix(".dvc") if not f.startswith(".dvc/")]
    models_only = 0
    for rel in pointers[:20]:
        outs = [
            o
            for d in tree.yaml(rel) or []
            if isinstance(d, dict) and isinstance(d.get("outs"), list)
            for o in d["outs"]
        ]
        if outs and not all(_is_model_output(o) for o in outs):
            out.append(tree.finding("dvc_tracks_data", rel, 1, f"DVC pointer for {rel[:-4]}"))
        elif outs:
            models_only += 1
    for rel in tree.named("dvc.lock"):
        out.append(tree.finding("dvc_tracks_data", rel, 1, "dvc.lock pins stage outputs"))
    for rel in tree.named("dvc.yaml"):
        for doc in tree.yaml(rel) or []:
            stages = doc.get("stages") if isinstance(doc, dict) else None
            if isinstance(stages, dict) and any(
                isinstance(s, dict) and s.get("outs") for s in stages.values()
            ):
                out.append(
                    tree.finding(
                        "dvc_tracks_data",
                        rel,
                        getattr(stages, "line", 1),
                        "dvc.yaml stages declare outs",
                    )
                )
    if not out and tree.glob(".dvc/config", "*/.dvc/config"):
        rel = tree.glob(".dvc/config", "*/.dvc/config")[0]
        out.append(
            tree.finding(
                "dvc_tracks_data",
                rel,
                1,
                f"DVC tracks trained models only ({counted(models_only, 'pointer')}), no data yet"
                if models_only
                else "DVC is initialised but tracks no data yet",
                Outcome.PARTIAL,
            )
        )
    return out


def _is_model_output(out: object) -> bool:
    """A DVC output that is a trained model file (by its suffix)."""
    path = str(out.get("path", "")) if isinstance(out, dict) else ""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return suffix in vocabulary().model_suffixes


@detector("git_lfs_tracks_data")
def git_lfs_tracks_data(tree: RepoTree) -> list[Finding]:
    """Data files (CSV, Parquet, arrays, model weights...) are stored through git-lfs.

    Evidence: a ``.gitattributes`` line with ``filter=lfs`` for a data suffix (``*.parquet``),
    or for images, audio or text inside a data folder (``data/**/*.png``, ``datasets/**``).
    Not evidence: ``*.png`` alone (pictures for docs), or a folder that merely has "data" in
    its name (``metadata/``).
    """
    out: list[Finding] = []
    for rel in tree.named(".gitattributes"):
        text = tree.text(rel) or ""
        for match in _LFS.finditer(text):
            if _lfs_data_pattern(match.group(1).lower()):
                line = line_at(text, match.start())
                out.append(
                    tree.finding(
                        "git_lfs_tracks_data", rel, line, f"git-lfs tracks {match.group(1)}"
                    )
                )
    return out


def _lfs_data_pattern(pattern: str) -> bool:
    segments = pattern.strip("/").split("/")
    last = segments[-1]
    suffix = last.rsplit(".", 1)[-1] if "." in last else ""
    if suffix in DATA_SUFFIXES:
        return True
    in_data = any(seg in DATA_FOLDERS for seg in segments[:-1])
    return in_data and (suffix in MEDIA_SUFFIXES or not suffix or last.strip("*") == "")


_LAKEFS = Signature("lakeFS", ("lakefs", "lakefs_client", "lakefs_sdk"))
_DELTA = Signature("Delta Lake", ("deltalake", "delta.tables", "delta"))
# a Delta table's version read or recorded: time travel (``versionAsOf``, ``VERSION AS OF``,
# ``load_as_version``), its history (``DeltaTable.forName(...).history()``), a restore, or the
# version kept beside a run (``delta_version``)
_TABLE_VERSIONS = re.compile(
    r"versionAsOf|timestampAsOf|\b(?:VERSION|TIMESTAMP)\s+AS\s+OF\b|restoreToVersion"
    r"|restore_to_version|load_as_version|load_version\(|\.history\(|delta_version"
)


_MAY_NAME_VERSIONS = re.compile(r"ersion|istory\(|AsOf|\bAS\s+OF\b")  # a cheap test first


def _reads_table_versions(tree: RepoTree) -> bool:
    """Whether the project's code reads or records a Delta table's version anywhere (a
    table written in one module is often read at a version in another)."""
    return any(
        _MAY_NAME_VERSIONS.search(text) and _TABLE_VERSIONS.search(text)
        for rel in tree.with_suffix(".py", ".sql")
        if (text := tree.text(rel) or "")
    )


@detector("lakefs_or_delta_versioning")
def lakefs_or_delta_versioning(tree: RepoTree) -> list[Finding]:
    """Data is versioned in a lakeFS repository or Delta Lake tables (time travel).

    Evidence: lakeFS clients (``lakefs``, ``lakefs_client``, ``lakefs_sdk``) or Delta Lake
    (``deltalake``, ``delta.tables``) used in code, or ``lakefs://`` URIs in configuration.
    ``partial``: Delta tables written or merged, while no code reads or records a table's
    version (time travel ``versionAsOf``, ``VERSION AS OF``, ``history()``): the versions
    exist, but no run says which one it used.
    """
    out = find_usage(tree, "lakefs_or_delta_versioning", (_LAKEFS,))
    delta = find_usage(tree, "lakefs_or_delta_versioning", (_DELTA,))
    if delta and not _reads_table_versions(tree):
        delta = [
            f.model_copy(
                update={
                    "detail": f"{f.detail}; no table version is read or recorded "
                    "(time travel, history)",
                    "outcome": Outcome.PARTIAL,
                }
            )
            for f in delta
        ]
    out += delta
    out += search_files(
        tree,
        "lakefs_or_delta_versioning",
        tree.with_suffix(".yaml", ".yml", ".toml", ".cfg", ".ini"),
        _LAKEFS_URI,
        lambda m: "lakeFS URI in configuration",
    )
    return out


@detector("data_remote_storage_configured", keep=data_not_models, settle=by_hand_in_notebooks)
def data_remote_storage_configured(tree: RepoTree) -> list[Finding]:
    """Data lives in shared remote storage (a DVC remote, or object-store URIs in config).

    Why: a dataset on one laptop is not a team asset.
    Evidence: ``url =`` under a ``['remote ...']`` section of ``.dvc/config``, s3/gs/azure/
    hdfs URIs in YAML/TOML/INI configuration or ``params.yaml``, object-store URIs that
    project code reads from (``pd.read_parquet("s3://...")``, ``f"s3://{bucket}/data.csv"``,
    ``dbfs:/...``), or an object-store client in project code (an Airflow ``WasbHook``/
    ``S3Hook``/``GCSHook``, boto3 ``download_file`` on an S3 client, ``storage.Client()``,
    ``BlobServiceClient``, ``s3fs``/``gcsfs``/``adlfs``), or a data frame read, in one
    function, from a place an environment variable named for a bucket gives
    (``pd.read_csv(os.environ.get("BUCKET_URL") + name)``).
    Not evidence: a module that fetches only model files from a store and loads one (a
    serving app downloading ``model.pkl`` at start-up keeps its model there, not data).
    ``partial``: every place is a notebook (a session that reads a bucket by hand shows
    where one person's data was, not a way the project's code or configuration keeps it).
    """
    out: list[Finding] = []
    for rel in tree.glob(".dvc/config", "*/.dvc/config"):
        text = tree.text(rel) or ""
        for number, line in enumerate(text.splitlines(), start=1):
            if (line.strip().startswith("url") and "://" in line) or line.strip().startswith(
                "url = /"
            ):
                out.append(
                    tree.finding(
                        "data_remote_storage_configured",
                        rel,
                        number,
                        "DVC remote: " + line.split("=", 1)[-1].strip()[:80],
                    )
                )
    configs = [
        f
        for f in tree.with_suffix(".yaml", ".yml", ".toml", ".cfg", ".ini", ".env")
        if _CONFIG_PATH.search(f) and not f.startswith(".github/")
    ]
    out += search_files(
        tree,
        "data_remote_storage_configured",
        configs,
        _REMOTE_URL,
        lambda m: f"remote storage URI {m.group(0)[:80]}",
    )
    out += search_files(
        tree,
        "data_remote_storage_configured",
        tree.with_suffix(".py", ".ipynb"),
        _CODE_URI,
        lambda m: f"code reads from {m.group(1)[:80]}",
        prefilter=_object_store_uri_possible,
        limit=10,
        accept=lambda text, m: not names_a_model(text, m),
    )
    # object-store clients (boto3, GCS, Azure Blob, fsspec...): the stack packs
    return out + env_store_reads(tree)


@detector("data_assets_versioned")
def data_assets_versioned(tree: RepoTree) -> list[Finding]:
    """Datasets are registered as versioned data assets in an ML platform.

    Why: a registered asset version names exactly the data a run consumed, and the platform
    keeps it retrievable, as a ``.dvc`` pointer does in git.
    Example: Azure ML SDK v1 ``dataset.register(ws, name, create_new_version=True)``; SDK v2
    ``ml_client.data.create_or_update(Data(...))``; a CLI v2 YAML whose ``$schema`` is
    ``.../data.schema.json`` (created with ``az ml data create``).
    Not evidence: ``register(...)`` without ``create_new_version=True`` (it overwrites one
    version), a ``.register`` call of another library, or a file merely named ``data.yml``.
    How to satisfy: register each training dataset as a data asset and pass the asset and
    version (``azureml:name:version``) to the training job.
    """
    return config_findings(tree, "data_assets_versioned")  # the SDK calls: the stack packs


DETECTORS = [
    dvc_tracks_data,
    git_lfs_tracks_data,
    lakefs_or_delta_versioning,
    data_remote_storage_configured,
    data_assets_versioned,
]
