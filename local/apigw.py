"""API Gateway REST (v1) proxy integration, both ways: an HTTP request -> the Lambda event, the Lambda result ->
the HTTP response. Field by field what API Gateway sends, so a handler cannot tell the local gateway from AWS.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from infrastructure.catalog import RouteSpec

ACCOUNT_ID = "123456789012"
API_ID = "local"


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query string, as on the request line
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    @property
    def path(self) -> str:
        return unquote(self.target.split("?", 1)[0])

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in reversed(self.headers) if k.lower() == lowered), None)


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    """The product's error shape, ``{"error": {"code", "message", "details"}}``, for the gateway's own answers."""
    body = json.dumps({"error": {"code": code, "message": message, "details": details}}).encode()
    return Response(status, [("Content-Type", "application/json")], body)


def json_response(status: int, payload: Any) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(payload).encode())


def resource_of(route: RouteSpec, path: str) -> tuple[str, dict[str, str] | None]:
    """The API Gateway resource a path matched, and its path parameters."""
    if path == route.path:
        return route.path, None
    return f"{route.path}/{{proxy+}}", {"proxy": path[len(route.path.rstrip("/")) + 1 :]}


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _body(raw: bytes) -> tuple[str | None, bool]:
    """Text bodies pass as strings; anything that is not UTF-8 is base64 (binary media types)."""
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode(), True


def build_event(
    request: Request, route: RouteSpec, *, stage: str, claims: dict[str, str] | None = None
) -> dict[str, Any]:
    path = request.path
    resource, path_parameters = resource_of(route, path)
    query = parse_qsl(request.query, keep_blank_values=True)
    headers = _multi(request.headers)
    body, is_base64 = _body(request.body)
    now = time.time()
    request_context: dict[str, Any] = {
        "resourceId": API_ID,
        "resourcePath": resource,
        "httpMethod": request.method,
        "extendedRequestId": uuid.uuid4().hex[:16],
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "path": f"/{stage}{path}",
        "accountId": ACCOUNT_ID,
        "protocol": "HTTP/1.1",
        "stage": stage,
        "domainPrefix": API_ID,
        "requestTimeEpoch": int(now * 1000),
        "requestId": str(uuid.uuid4()),
        "identity": {
            "sourceIp": request.source_ip,
            "userAgent": request.header("User-Agent"),
            "accountId": None,
            "caller": None,
            "user": None,
            "userArn": None,
            "cognitoIdentityPoolId": None,
            "cognitoIdentityId": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "accessKey": None,
            "apiKey": None,
            "apiKeyId": None,
        },
        "domainName": request.header("Host") or "localhost",
        "apiId": API_ID,
    }
    if claims is not None:
        request_context["authorizer"] = {"claims": claims}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in headers.items()} or None,
        "multiValueHeaders": headers or None,
        "queryStringParameters": {k: v[-1] for k, v in _multi(query).items()} or None,
        "multiValueQueryStringParameters": _multi(query) or None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def to_response(result: Any) -> Response:
    """A Lambda proxy result -> the HTTP response; anything else is a 502, as API Gateway answers it."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return error_response(502, "bad_gateway", "the function returned a malformed proxy response")
    headers: list[tuple[str, str]] = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    single = {k.lower() for k, _ in headers}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if name.lower() in single:  # API Gateway: multiValueHeaders win over headers of the same name
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        headers.extend((str(name), str(v)) for v in values)
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
    return Response(int(result["statusCode"]), headers, body)
