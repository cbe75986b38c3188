"""Inline Lambda code in CloudFormation/SAM templates: extracted at the template's lines,
only when it is Python, and read by the stack packs' Python signs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.parse.inline_code import inline_python, parse_inline_python
from mlkaizen.evidence.scan import run_detectors
from mlkaizen.evidence.tree import RepoTree

TEMPLATE = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Code:
        ZipFile: !Sub |
          import boto3
          sm = boto3.client("sagemaker", region_name="${AWS::Region}")

          def handler(event, context):
              return sm.create_trial(TrialName="t")
      Timeout: 30
  Node:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs18.x
      Code:
        ZipFile: |
          exports.handler = async () => 1;
"""


def test_the_code_keeps_the_template_lines_and_stops_at_the_next_key() -> None:
    code = inline_python(TEMPLATE)
    assert code is not None
    lines = code.split("\n")
    assert len(lines) == len(TEMPLATE.split("\n"))
    assert lines[7] == "import boto3"
    assert lines[8] == 'sm = boto3.client("sagemaker", region_name="_")'  # ${...} is a name
    assert lines[11] == '    return sm.create_trial(TrialName="t")'
    assert lines[12] == ""  # ``Timeout:`` is the template's again
    assert "exports" not in code  # the Node.js block does not parse: left out alone


def test_facts_point_at_the_template_lines() -> None:
    facts = parse_inline_python(TEMPLATE)
    assert facts.imports == {"boto3": 8}
    assert [(c.name, c.line) for c in facts.calls if c.name.endswith("create_trial")] == [
        ("sm.create_trial", 12)
    ]


@pytest.mark.parametrize(
    "text",
    [
        # no Python runtime anywhere: the block is some other language's
        TEMPLATE.replace("python3.12", "java21"),
        # the code is a property's plain string, not an inline code block
        "Resources:\n  Fn:\n    Properties:\n      Runtime: python3.12\n"
        "      Description: ZipFile import boto3\n",
        # an empty block
        "Resources:\n  Fn:\n    Properties:\n      Runtime: python3.12\n      Code:\n"
        "        ZipFile: |\n      Timeout: 3\n",
    ],
)
def test_near_misses_hold_no_inline_python(text: str) -> None:
    assert inline_python(text) is None
    facts = parse_inline_python(text)  # no error: a template without Python is no fault
    assert (facts.imports, facts.calls) == ({}, [])


def test_a_scan_reads_inline_code_and_nothing_else_of_the_template(tmp_path: Path) -> None:
    (tmp_path / "template.yml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "other.yml").write_text("steps:\n  - run: echo create_trial\n", encoding="utf-8")
    tree = RepoTree(tmp_path)
    assert tree.inline_python_sources() == ["template.yml"]
    found = {
        (f.detector, f.file, f.line)
        for f in run_detectors(tree, REGISTRY.values()).findings
        if f.detector == "experiment_tracking_used"
    }
    assert found == {("experiment_tracking_used", "template.yml", 12)}


def test_line_numbers_count_newlines_only_and_windows_endings() -> None:
    # a form feed or a line separator in the template is no line break of the tool's
    odd = TEMPLATE.replace("Resources:", "Resources: # \x0c \u2028", 1).replace("\n", "\r\n")
    facts = parse_inline_python(odd)
    assert facts.imports == {"boto3": 8}


def test_a_block_beyond_the_parse_bound_is_not_parsed() -> None:
    big = "          x = 1\n" * 50_000  # 300,000 characters of code in one block
    text = TEMPLATE.replace("          import boto3\n", "          import boto3\n" + big, 1)
    assert inline_python(text) is None  # the only Python block is too large: left out


def test_a_template_of_any_case_is_read_as_a_template(tmp_path: Path) -> None:
    (tmp_path / "Stack.YML").write_text(TEMPLATE, encoding="utf-8")
    tree = RepoTree(tmp_path)
    facts = tree.python("Stack.YML")
    assert facts is not None and facts.imports == {"boto3": 8}
    assert tree.warnings == []
