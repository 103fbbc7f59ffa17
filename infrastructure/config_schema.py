"""docs/config.schema.json: the deployment config's JSON Schema, generated from its model.

    python -m infrastructure.config_schema          # rewrite docs/config.schema.json
    python -m infrastructure.config_schema --check  # exit 1 when it is stale (a test does the same)

An editor given the schema for cdk.json's ``context`` flags a misspelt key or a wrong value before any synth; the
synth still checks what a schema cannot (the region's services, the chart of accounts against the departments).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from infrastructure.deployment_config import DeploymentConfig

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "config.schema.json"


def schema() -> dict[str, Any]:
    generated = DeploymentConfig.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Receivables Portal deployment configuration (cdk.json context)",
        **{key: value for key, value in generated.items() if key != "title"},
    }


def text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if not SCHEMA_PATH.exists() or SCHEMA_PATH.read_text() != text():
            sys.stderr.write(f"{SCHEMA_PATH} is stale: run python -m infrastructure.config_schema\n")
            return 1
        return 0
    SCHEMA_PATH.write_text(text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
