"""``local/botocore_data.py``: once ``local`` is imported, sessions share botocore's parsed JSON."""

from __future__ import annotations

import boto3
import botocore.session

import local  # noqa: F401  (installs the shared loader)


def test_sessions_share_one_loader_and_so_one_parsed_model() -> None:
    first = boto3.session.Session(region_name="us-east-1")
    second = botocore.session.Session()

    assert first._session.get_component("data_loader") is second.get_component("data_loader")
    assert first._session.get_service_data("sqs") is second.get_service_data("sqs")
