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
