"""A third-party detector: labelling is done in Label Studio with a shared configuration."""

from __future__ import annotations

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.usage import Signature, find_usage
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree


@detector("label_studio_used")
def label_studio_used(tree: RepoTree) -> list[Finding]:
    """Data is labelled in Label Studio from a labelling configuration kept in the repository.

    Evidence: a Label Studio labelling config (``*label_config*.xml`` / ``labeling/*.xml``), or
    the ``label_studio_sdk`` client used in code.
    """
    out = find_usage(tree, "label_studio_used",
                     (Signature("Label Studio", ("label_studio_sdk",),
                                ("label_studio_sdk.Client", "label_studio_sdk.client.Client")),))
    for rel in tree.glob("*label_config*.xml", "*labeling/*.xml", "*labelling/*.xml"):
        out.append(tree.finding("label_studio_used", rel, 1, "Label Studio labelling config"))
    return out


DETECTORS = [label_studio_used]
