"""What a pipeline step or CI command does, judged from its command text.

The patterns are data (``step_kinds`` in ``catalogue/vocabulary.yaml``); a word inside a
command-line option (``--extract-features``) does not count.
"""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.vocabulary import vocabulary

_V = vocabulary()
TRAIN = _V.step_kind("train")
EVALUATE = _V.step_kind("evaluate")
VALIDATE_DATA = _V.step_kind("validate_data")
INGEST = _V.step_kind("ingest")
TESTS = _V.step_kind("tests")
DEPLOY = _V.step_kind("deploy")
INFRA = _V.step_kind("infra")
LINT = _V.step_kind("lint")
CML = _V.step_kind("cml")
MONITOR = _V.step_kind("monitor")
POLICY = _V.step_kind("policy")
MATURITY = _V.step_kind("maturity")
KEEP = _V.step_kind("keep")  # keeps a run's results beyond the CI runner

# a pipeline step that releases a model: TFX Pusher, a deploy step or component
PIPELINE_DEPLOY = re.compile(r"(deploy|\bPusher\b|ModelDeployOp)", re.IGNORECASE)

# A shell command that installs, builds or pushes an image, prints, reads, lints, copies
# files to or from object storage (``aws s3 cp data.csv s3://bucket/train/``), lists or stops
# a platform's jobs (``aws sagemaker stop-training-job``), moves or
# byte-compiles files, or compiles a Kubeflow pipeline's definition (``dsl-compile --py
# train_pipeline.py``): it does no ML work, whatever its arguments name (``pip install -r
# training/requirements.txt``, ``docker build -t train-knn .``, ``gcloud functions deploy
# prod_training_pipeline``, ``yamllint train-pipeline.yml``, ``python -m py_compile
# scripts/run_training.py``).
_INERT = re.compile(
    r"(?:sudo\s+|time\s+|\w+=\S*\s+)*"
    r"(?:\[\[?|test|cd|pushd|popd|echo|printf|mkdir|cp|mv|rm|ls|cat|head|tail|wc|grep|sed|awk|jq|yq"
    r"|yamllint"
    r"|check-jsonschema|chmod|chown|touch|export|source|tar|unzip|apt|apt-get|yum|apk|brew"
    r"|(?:npm|pnpm)\s+(?:install|ci)|yarn\s+(?:install|add)|pip[\d.]*"
    r"|conda\s+(?:install|create|env|activate)|python[\d.]*\s+-m\s+(?:pip|venv|py_compile|compileall)"
    r"|uv\s+(?:pip|sync|venv|lock)|poetry\s+(?:install|lock|add)"
    r"|(?:docker|podman)\s+(?:buildx\s+)?(?:build|push|tag|pull|login)"
    r"|gcloud\s+(?:functions\s+deploy|auth|config|components)|az\s+(?:login|account|extension)"
    r"|aws\s+(?:configure|ecr\b|s3\s+(?:cp|mv|ls|sync|rm)\b"
    r"|sagemaker\s+(?:(?:list|describe|stop|delete)-[\w-]+|wait\s+[\w-]+))"
    r"|gsutil\s+(?:-m\s+)?(?:cp|mv|ls|rsync|rm)\b|gcloud\s+storage\s+(?:cp|mv|ls|rsync|rm)\b"
    r"|azcopy"
    r"|dsl-compile(?:-v2)?|kfp\s+dsl\s+compile)"
    r"(?![\w.-])"
)
# shell segments: lines (a ``\`` continuation joined first), ``&&``, ``||``, ``;``, ``|``, ``&``
_SEGMENTS = re.compile(r"\n|&&|\|\||;|(?<![|&])[|&](?![|&])")
# what may open a segment before its command: a Make recipe's ``@``/``-``, shell keywords
# (``if [ -d training ]`` tests a folder; ``then python train.py`` trains; ``for job in
# $(aws sagemaker list-training-jobs ...)`` lists what the loop goes through)
_LEAD = re.compile(
    r"^(?:[@-]+|!\s*|(?:if|elif|while|until|then|do|else)\s+|for\s+\w+\s+in\s+(?:\$\()?)+"
)
# a segment that is a value, not a command: a quoted word or a glob (a path filter's
# ``'services/training/**'``), a YAML key (``trainer_api:``)
_VALUE = re.compile(r"^(?:'[^'\s]*'|\"[^\"\s]*\"|[^\s*]*\*\S*|[\w.-]+:)$")


# a segment that only sets a variable (``TRAIN_IMAGE="$REPO/train:latest"``) runs nothing,
# unless its value is a command's output (``$(...)``, backquotes)
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


def _only_assigns(segment: str) -> bool:
    return (
        _ASSIGNMENT.match(segment) is not None
        and "$(" not in segment
        and "`" not in segment
        and not any(c.isspace() for c in _QUOTED.sub("", segment))
    )


def ml_work(command: str) -> str:
    """The parts of a step's command that can do ML work (train, evaluate, validate data):
    its shell segments less those that install, build or push images, print, read, lint or
    move files, only set a variable, or are a value (an action's path filter). A step that
    names ``training`` only in such a segment trains nothing."""
    segments = (_LEAD.sub("", seg.strip()) for seg in _SEGMENTS.split(command.replace("\\\n", " ")))
    return "\n".join(
        seg
        for seg in segments
        if not (_INERT.match(seg) or _only_assigns(seg) or _VALUE.match(seg.strip()))
    )


ML_WORK = frozenset({TRAIN, EVALUATE, VALIDATE_DATA})


def does(kind: re.Pattern[str], command: str) -> bool:
    """Whether a step's command does ``kind`` (ML work read from :func:`ml_work`)."""
    return bool(kind.search(ml_work(command) if kind in ML_WORK else command))
