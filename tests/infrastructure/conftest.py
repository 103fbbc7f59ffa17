"""One synthesis of the whole stack per test session, shared by every infrastructure test.

Synthesis (with cdk-nag) takes seconds, so the tests read one template. The context is cdk.json's, as the
CLI would pass it, plus a concrete account and region, as ``cdk deploy`` with credentials would have.
Under xdist the infrastructure tests share one group (``xdist_group("cdk")``), so one worker synthesizes.
"""

from __future__ import annotations

import pytest

from tests.infrastructure.synth import Synthesized, synthesize


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk.out"))
