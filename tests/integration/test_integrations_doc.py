"""The worked example of docs/integrations.md ("ten invoices with curl") runs as written against a local runtime:
the block after the ``worked-example`` marker is run by bash, with curl, against the real gateway over HTTP, only
its ``API=`` line pointed at this test's server. Its answers are what the doc says they are; run again, it changes
nothing. So the example cannot drift from the API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.gateway import Gateway, LocalHttpServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"
MARKER = "<!-- worked-example:"
NUMBERS = [f"UT-DOCS-26{month:02d}" for month in range(1, 11)]


def worked_example() -> tuple[str, dict[str, Any]]:
    """The doc's bash block after the marker, and the answer it shows after it."""
    text = DOC.read_text()
    after = text[text.index(MARKER) :]
    script = re.search(r"```bash\n(.*?)```", after, re.S)
    shown = re.search(r"```json\n(.*?)```", after, re.S)
    assert script and shown, "the worked example is a bash block followed by the answer as a json block"
    return script.group(1), json.loads(shown.group(1))


@pytest.fixture(scope="module")
def server(local_env: Any) -> Iterator[LocalHttpServer]:
    served = Gateway(local_env).serve("127.0.0.1", 0).start()
    try:
        yield served
    finally:
        served.stop()


def run(script: str, url: str) -> list[dict[str, Any]]:
    """Run the block with bash (failing on the first failing command), answers parsed one JSON document a line."""
    lines = script.splitlines()
    (api,) = [i for i, line in enumerate(lines) if line.startswith("API=")]
    lines[api] = f"API={url}"
    # python3 is the one running the tests: the block's JSON one-liners need nothing else
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(  # noqa: S603 - our own doc's block, against our own server
        ["/bin/bash", "-euo", "pipefail", "-c", "\n".join(lines)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_the_worked_example_loads_ten_invoices_as_the_doc_says(server, gateway, make_users):
    script, shown = worked_example()

    customers, accounts, invoices = run(script, server.url)

    # The customer and its account are created, then the ten invoices, each named by its number
    assert customers["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}, customers
    assert accounts["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}, accounts
    assert invoices["summary"] == shown["summary"] == {"created": 10, "updated": 0, "unchanged": 0, "rejected": 0}
    assert [r["source_id"] for r in invoices["results"]] == NUMBERS
    assert invoices["results"][0] == shown["results"][0]  # the answer shown is the real one, id included
    assert all(r["outcome"] == "created" and r["entity_id"].startswith("inv_") for r in invoices["results"])
    # And the audit trail names the demo connected system, on the integration channel
    supervisor = make_users(groups=("supervisor",)).staff_token
    entity = f"invoice:{invoices['results'][0]['entity_id']}"
    trail = gateway.request("GET", f"/v1/staff/audit?entity={entity}", token=supervisor)
    assert trail.status == 200, trail.body
    assert [r["actor"] for r in trail.body["records"]] == ["system:demo-erp"]
    # And staff find the customer by its id, as the doc suggests
    found = gateway.request("GET", "/v1/staff/search?q=CUS-DOCS0001", token=supervisor)
    assert found.status == 200, found.body
    assert [m["customer"]["name"] for m in found.body["matches"]] == ["Avery Quinn"]

    # When the block runs again
    again = run(script, server.url)

    # Then nothing changes: every record is unchanged, at the version it holds
    assert [answer["summary"]["unchanged"] for answer in again] == [1, 1, 10]
    assert {r["reason"] for answer in again for r in answer["results"]} == {"same_version"}
