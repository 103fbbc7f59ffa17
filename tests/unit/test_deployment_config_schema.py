"""The published JSON Schema and docs/configuration.md follow the deployment config's model (issue 17)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from infrastructure import config_schema
from infrastructure.deployment_config import CONTEXT_KEYS
from tests.infrastructure.synth import ROOT

DOCS = ROOT / "docs" / "configuration.md"


def test_the_committed_schema_is_the_models() -> None:
    committed = json.loads(config_schema.SCHEMA_PATH.read_text())
    assert committed == config_schema.schema(), (
        "docs/config.schema.json is stale: python -m infrastructure.config_schema"
    )
    assert config_schema.main(["--check"]) == 0


def test_the_schema_accepts_the_demo_context_and_refuses_the_issues_mistakes() -> None:
    validator = jsonschema.Draft202012Validator(config_schema.schema())
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    assert list(validator.iter_errors(context)) == []  # CDK's feature flags included
    for key, value in [
        ("staffMfa", "ture"),
        ("approvalThreshold", -5),
        ("currency", "XXX"),
        ("logoUrl", "http://www.springfield.example.gov/seal.png"),
    ]:
        assert list(validator.iter_errors({**context, key: value})), key


def test_every_key_is_documented_and_only_the_keys_there_are() -> None:
    rows = re.findall(r"^\| `([A-Za-z]+)` \|", DOCS.read_text(), flags=re.MULTILINE)
    assert sorted(rows) == sorted(CONTEXT_KEYS), (set(CONTEXT_KEYS) - set(rows), set(rows) - set(CONTEXT_KEYS))


def test_check_fails_on_a_stale_file_until_it_is_regenerated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stale = tmp_path / "config.schema.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(config_schema, "SCHEMA_PATH", stale)
    assert config_schema.main(["--check"]) == 1
    assert config_schema.main([]) == 0
    assert config_schema.main(["--check"]) == 0
