"""Run inside the isolated interpreter (``python3.12 -I -S -B``): import one function's handler from the Lambda
layout and call it with one event, as the Lambda runtime would.

Standard library only: nothing of the project's environment is importable here, only what ``sys.path`` is given.
Usage: ``isolated_invoke.py <spec.json> <result.json>``; the spec holds ``path`` (the function's ``sys.path``
entries, in Lambda's order), ``handler`` (dotted), ``function_name`` and ``event``. The result is written to a file,
not stdout, which the function's own logs (Powertools writes JSON lines there) keep for themselves.
"""

import importlib
import importlib.metadata
import json
import sys
import time
import traceback
import uuid
import zoneinfo
from typing import Any

# Whose copy of these the function ran with (module: distribution): the test checks where each came from.
PROVENANCE = {
    "aws_lambda_powertools": "aws-lambda-powertools",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic-core",
    "boto3": "boto3",
    "botocore": "botocore",
}


class LambdaContext:
    """The attributes and method of the Lambda context object that handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_s: int = 30) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "isolated"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main(spec_file: str, result_file: str) -> None:
    with open(spec_file) as stream:
        spec = json.load(stream)
    sys.path[:0] = spec["path"]
    # The runtime's image has no system zone files: the agency's TIME_ZONE must come from the layer's tzdata
    zoneinfo.reset_tzpath(to=[])
    result: dict[str, Any] = {"sys_path": list(sys.path)}
    started = time.monotonic()
    try:
        module_name, _, attribute = spec["handler"].rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        result["import_s"] = round(time.monotonic() - started, 3)
        result["answer"] = handler(spec["event"], LambdaContext(spec["function_name"]))
    except Exception as exc:  # the test reads which error, and where: a failed import is the finding
        result["error"] = {"type": type(exc).__name__, "message": str(exc), "traceback": traceback.format_exc()}
    result["modules"] = {
        name: {"file": module.__file__, "version": importlib.metadata.version(distribution)}
        for name, distribution in PROVENANCE.items()
        if (module := sys.modules.get(name)) is not None
    }
    with open(result_file, "w") as stream:
        json.dump(result, stream, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
