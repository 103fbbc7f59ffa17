"""The local runtime: ``python -m local`` end to end, the gateway's edge cases, Cognito JWT checks, the moto
patches, the outbox relay and the seed data. Gateway tests use fake handlers, not the product's."""

from __future__ import annotations

import base64
import collections
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from datetime import date, timedelta
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from moto.cognitoidp.models import cognitoidp_backends
from moto.dynamodb.models import dynamodb_backends

from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.domain.event_entities import EventEntity
from arportal.domain.models import Allocation, Invoice, Payment
from infrastructure.catalog import ROOT
from local import auth, invoke, seed, seed_data
from local.apigw import Request
from local.environment import LocalEnvironment
from local.gateway import MAX_BODY_BYTES, Gateway
from local.scheduler import Job, Scheduler
from tests.integration.conftest import GatewayClient, new_customer_id

# --- python -m local --------------------------------------------------------------------------------------


def _open(target: str | urllib.request.Request, *, timeout: float) -> Any:
    return urllib.request.urlopen(target, timeout=timeout)  # noqa: S310 - our own server on 127.0.0.1


def _request(url: str, **kwargs: Any) -> urllib.request.Request:
    return urllib.request.Request(url, **kwargs)  # noqa: S310 - our own server on 127.0.0.1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Deadlines for a condition (ready, stopped), far above what it takes even on a loaded 2-core machine; how long it
# takes is measured by bench/dev_startup.py, not asserted here.
START_WAIT_S = 240
STOP_WAIT_S = 120


class DevServer:
    def __init__(self, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in invoke.SOURCE_PATHS)}
        for name in ("AWS_ENDPOINT_URL", "MOTO_PORT"):  # the child starts its own moto
            env.pop(name, None)
        self.started = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "local", "--port", str(self.port), *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if line.startswith("ready in"):
                self.ready.set()

    def wait_ready(self, timeout: float) -> float:
        if not self.ready.wait(timeout):
            self.stop()
            pytest.fail("not ready in time:\n" + "".join(self.lines))
        return time.monotonic() - self.started

    def get(self, path: str) -> Any:
        with _open(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def post(self, path: str, payload: Any) -> tuple[int, Any]:
        request = _request(self.url + path, data=json.dumps(payload).encode(), method="POST")
        try:
            with _open(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def stop(self, signum: int = signal.SIGINT) -> int:
        self.process.send_signal(signum)
        try:
            # Generous: on a loaded CI machine the background threads can take a while to see the stop
            return self.process.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"did not stop within {STOP_WAIT_S} s:\n" + "".join(self.lines))


def test_dev_server_without_seed_answers_and_stops_cleanly():
    server = DevServer("--no-seed")
    server.wait_ready(START_WAIT_S)
    assert server.get("/local/mailbox") == {"messages": []}
    assert server.get("/config.json")["local"] is True
    # The demo connected system: printed, listed, and its token opens the integration API over HTTP
    demo = next(c for c in server.get("/local/clients")["clients"] if c["client_name"] == "demo-erp")
    assert f"client id      {demo['client_id']}" in "".join(server.lines)
    assert f"client secret  {demo['client_secret']}" in "".join(server.lines)
    basic = base64.b64encode(f"{demo['client_id']}:{demo['client_secret']}".encode()).decode()
    token_request = _request(
        server.url + "/oauth2/token",
        data=b"grant_type=client_credentials",
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with _open(token_request, timeout=10) as response:
        access_token = json.loads(response.read())["access_token"]
    me = _request(server.url + "/v1/integrations/me", headers={"Authorization": f"Bearer {access_token}"})
    with _open(me, timeout=10) as response:
        assert json.loads(response.read())["client_name"] == "demo-erp"
    assert server.stop(signal.SIGTERM) == 0
    output = "".join(server.lines)
    assert "Traceback" not in output
    assert output.rstrip().endswith("stopped")


def test_seeded_dev_server_starts_with_every_demo_login():
    # When `make dev` starts: moto, every resource, the demo agency loaded through the integration API, five demo
    # logins (how fast it gets there is measured by bench/dev_startup.py, not here)
    server = DevServer("--seed", "42")
    server.wait_ready(START_WAIT_S)
    try:
        # Then the banner says how much of the demo data came through the integration API, and as whom
        assert any(
            "loaded through the integration API as system:demo-seed" in line and int(line.split()[0]) > 0
            for line in server.lines
        ), server.lines
        # Then every demo login works
        tokens = {}
        for login in seed.DEMO_LOGINS:
            status, body = server.post("/local/login", {"username": login, "password": "Demo-pass-1234"})
            assert status == 200, body
            tokens[login] = body
        assert tokens["customer@demo.local"]["audience"] == "customer"
        assert tokens["admin@demo.local"]["audience"] == "staff"
        # And the demo customer's profile is linked to its login both ways
        claims = json.loads(base64.urlsafe_b64decode(tokens["customer@demo.local"]["id_token"].split(".")[1] + "=="))
        moto_url = next(line.split()[-1] for line in server.lines if line.strip().startswith("moto"))
        dynamodb = boto3.client(
            "dynamodb", endpoint_url=moto_url, region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",
        )  # fmt: skip
        profile = dynamodb.get_item(
            TableName="ArPortal-springfield-dev-Ledger",
            Key=codec.serialize({"PK": f"CUST#{claims['custom:customer_id']}", "SK": "#PROFILE"}),
        )["Item"]
        assert codec.deserialize(profile)["login_subject"] == claims["sub"]
        assert codec.deserialize(profile)["email"] == "customer@demo.local"
    finally:
        assert server.stop() == 0


# --- gateway ----------------------------------------------------------------------------------------------


def echo_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    payload = {
        "event": event,
        "function": context.function_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"X-Seen": ["one", "two"]},
        "body": json.dumps(payload),
    }


def failing_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("secret detail that must not reach the client")


def pdf_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    body = base64.b64encode(b"%PDF-1.7\xff\xfe").decode()
    return {"statusCode": 200, "headers": {"Content-Type": "application/pdf"}, "body": body, "isBase64Encoded": True}


@pytest.fixture
def fake_gateway(local_env: LocalEnvironment) -> GatewayClient:
    return GatewayClient(
        Gateway(
            local_env, handlers={"portal_api": echo_handler, "public_api": pdf_handler, "staff_api": failing_handler}
        )
    )


@pytest.fixture(scope="module")
def customer(local_env: LocalEnvironment) -> dict[str, str]:
    customer_id = new_customer_id()
    email = f"gw-{uuid.uuid4().hex[:8]}@example.com"
    local_env.create_user(email, customer_id=customer_id)
    return {"customer_id": customer_id, "token": local_env.login(email).id_token}


def test_a_verified_request_reaches_the_handler_as_an_api_gateway_event(fake_gateway, customer):
    status, headers, body = fake_gateway.request(
        "GET", "/v1/portal/invoices/inv_1?status=open&status=paid&from=2026-01-01", token=customer["token"]
    )
    assert status == 200
    event = body["event"]
    assert event["resource"] == "/v1/portal/{proxy+}"
    assert event["path"] == "/v1/portal/invoices/inv_1"
    assert event["pathParameters"] == {"proxy": "invoices/inv_1"}
    assert event["queryStringParameters"] == {"status": "paid", "from": "2026-01-01"}
    assert event["multiValueQueryStringParameters"]["status"] == ["open", "paid"]
    assert event["requestContext"]["stage"] == "dev"
    assert event["requestContext"]["resourcePath"] == "/v1/portal/{proxy+}"
    assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"
    claims = event["requestContext"]["authorizer"]["claims"]
    assert claims["custom:customer_id"] == customer["customer_id"]
    assert claims["token_use"] == "id"
    assert all(isinstance(v, str) for v in claims.values())
    assert event["headers"]["Authorization"].startswith("Bearer ")
    assert event["body"] is None and event["isBase64Encoded"] is False
    assert body["function"].endswith("portal_api") and body["remaining_ms"] > 0
    assert headers["x-seen"] in {"one", "two"}


def test_staff_groups_arrive_comma_separated(local_env, fake_gateway):
    email = f"gw-staff-{uuid.uuid4().hex[:8]}@example.com"
    local_env.create_user(email, groups=("agent", "supervisor"))
    status, _, body = fake_gateway.request("POST", "/v1/portal/x", token=local_env.login(email).id_token, json={"a": 1})
    assert status == 200
    claims = body["event"]["requestContext"]["authorizer"]["claims"]
    assert sorted(claims["cognito:groups"].split(",")) == ["agent", "supervisor"]
    assert json.loads(body["event"]["body"]) == {"a": 1}


def _forged(claims: dict[str, Any]) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(json.dumps({"alg": "RS256", "kid": "dummy"}).encode()) + "." + b64(json.dumps(claims).encode())
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64(signature)


def _claims(token: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def _moto_pool(env: LocalEnvironment, pool_id: str) -> Any:
    return cognitoidp_backends[env.resources.account_id][env.resources.region].user_pools[pool_id]


@pytest.mark.parametrize(
    "case", ["missing", "malformed", "tampered", "forged", "expired", "access_token", "other_pool", "other_client"]
)
def test_bad_tokens_get_401_before_any_handler_runs(local_env, fake_gateway, customer, case):
    token = customer["token"]
    resources = local_env.resources
    cognito = local_env.client("cognito-idp")
    email = f"gw-{uuid.uuid4().hex[:8]}@example.com"
    if case == "malformed":
        token = "not-a.jwt"
    elif case == "tampered":
        header, _, signature = token.split(".")
        claims = {**_claims(token), "custom:customer_id": "CUS-SOMEONEELSE"}
        token = ".".join(
            [header, base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("="), signature]
        )
    elif case == "forged":
        token = _forged(_claims(token))
    elif case == "expired":
        pool = _moto_pool(local_env, resources.customer_pool_id)
        username = next(iter(pool.users))
        token, _ = pool.create_jwt(resources.customer_client_id, username, "id", expires_in=-60)
    elif case == "access_token":
        local_env.create_user(email, customer_id=new_customer_id())
        token = local_env.login(email).access_token
    elif case == "other_pool":
        pool_id = cognito.create_user_pool(PoolName=f"other-{email}", UsernameAttributes=["email"])["UserPool"]["Id"]
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        cognito.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password="Demo-pass-1234", Permanent=True)
        token = cognito.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": "Demo-pass-1234"},
        )["AuthenticationResult"]["IdToken"]  # fmt: skip
    elif case == "other_client":
        client_id = cognito.create_user_pool_client(
            UserPoolId=resources.customer_pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        local_env.create_user(email, customer_id=new_customer_id())
        token = cognito.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": "Demo-pass-1234"},
        )["AuthenticationResult"]["IdToken"]  # fmt: skip
    status, _, body = fake_gateway.request("GET", "/v1/portal/me", token=None if case == "missing" else token)
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    assert "event" not in body


def test_token_verifier_reasons(local_env, customer):
    resources = local_env.resources
    pools = auth.pools_for(
        resources.endpoint_url, resources.region, {"c": (resources.customer_pool_id, resources.customer_client_id)}
    )
    verifier = auth.TokenVerifier(pools)
    assert verifier.verify(customer["token"])["custom:customer_id"] == customer["customer_id"]
    later = auth.TokenVerifier(pools, clock=lambda: time.time() + 7_200)
    cases = {
        "token expired": (later, customer["token"]),
        "invalid token signature": (verifier, _forged(_claims(customer["token"]))),
        "unsupported token algorithm": (verifier, "eyJhbGciOiJub25lIn0." + customer["token"].split(".")[1] + ".x"),
        "malformed token": (verifier, "a.b"),
    }
    for reason, (checker, token) in cases.items():
        with pytest.raises(auth.TokenError, match=reason):
            checker.verify(token)
    assert auth.bearer_token("bearer abc") == auth.bearer_token("abc") == "abc"


def test_public_routes_carry_no_authorizer_and_binary_bodies_round_trip(fake_gateway):
    status, headers, body = fake_gateway.request("POST", "/v1/public/lookup", body=b"\x00\xff binary")
    assert status == 200
    assert headers["content-type"] == "application/pdf"
    assert body == b"%PDF-1.7\xff\xfe"


def test_handler_errors_are_500_without_details(fake_gateway, local_env):
    email = f"gw-staff-{uuid.uuid4().hex[:8]}@example.com"
    local_env.create_user(email, groups=("agent",))
    status, _, body = fake_gateway.request("GET", "/v1/staff/search?q=x", token=local_env.login(email).id_token)
    assert status == 500
    assert body["error"]["code"] == "internal_error"
    assert "secret" not in json.dumps(body)


def test_a_missing_handler_is_a_502(local_env, customer, monkeypatch):
    def unavailable(dotted: str) -> Any:
        raise invoke.HandlerUnavailableError(f"no module {dotted!r}")

    monkeypatch.setattr(invoke, "import_handler", unavailable)
    status, _, body = GatewayClient(Gateway(local_env)).request("GET", "/v1/portal/me", token=customer["token"])
    assert status == 502
    assert body["error"]["code"] == "handler_unavailable"


def test_importing_a_handler_that_does_not_exist_says_so():
    with pytest.raises(invoke.HandlerUnavailableError, match="no module"):
        invoke.import_handler("no_such_function.handler.lambda_handler")


def test_unknown_paths_are_404_and_large_bodies_413(fake_gateway):
    status, _, body = fake_gateway.request("GET", "/v2/nothing/here")
    assert status == 404
    assert set(body["error"]) == {"code", "message", "details"}
    status, _, body = fake_gateway.request("POST", "/v1/public/lookup", body=b"x" * (MAX_BODY_BYTES + 1))
    assert status == 413
    assert body["error"]["code"] == "body_too_large"


@pytest.mark.parametrize(
    "path",
    ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/console/..%2f..%2fpyproject.toml", "//etc/passwd",
     "/console/../../cdk.json", "/swagger-ui/%2e%2e/%2e%2e/package.json"],
)  # fmt: skip
def test_static_files_cannot_escape_their_directory(fake_gateway, path):
    status, _, body = fake_gateway.request("GET", path)
    assert status == 404
    assert b"[project]" not in json.dumps(body).encode()


def test_front_ends_config_and_swagger_assets_are_served(fake_gateway, local_env):
    status, headers, body = fake_gateway.request("GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert body == (ROOT / "web" / "portal" / "index.html").read_bytes()
    assert fake_gateway.request("GET", "/console").status == 301
    status, headers, body = fake_gateway.request("GET", "/console/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert body == (ROOT / "web" / "console" / "index.html").read_bytes()
    config = fake_gateway.request("GET", "/config.json").body
    assert config["local"] is True
    assert config["customerUserPoolId"] == local_env.resources.customer_pool_id
    assert config["staffClientId"] == local_env.resources.staff_client_id
    if (ROOT / "node_modules" / "swagger-ui-dist").is_dir():
        status, headers, _ = fake_gateway.request("GET", "/swagger-ui/index.css")
        assert status == 200 and headers["content-type"].startswith("text/css")


def test_local_login_and_mailbox(fake_gateway, local_env):
    email = f"gw-login-{uuid.uuid4().hex[:8]}@example.com"
    local_env.create_user(email, groups=("finance",))
    assert fake_gateway.request("POST", "/local/login", json={"username": email}).status == 400
    assert fake_gateway.request("POST", "/local/login", body=b"{not json").status == 400
    wrong = fake_gateway.request("POST", "/local/login", json={"username": email, "password": "nope-Nope-1"})
    assert wrong.status == 401 and wrong.body["error"]["code"] == "unauthorized"
    ok = fake_gateway.request("POST", "/local/login", json={"username": email, "password": "Demo-pass-1234"})
    assert ok.status == 200 and ok.body["audience"] == "staff" and ok.body["id_token"].count(".") == 2

    ses = local_env.client("ses")
    for subject in ("First", "Second"):
        ses.send_email(
            Source=local_env.resources.sender_email,
            Destination={"ToAddresses": [email]},
            Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": f"{subject} body"}}},
        )
    mine = [m for m in fake_gateway.request("GET", "/local/mailbox").body["messages"] if email in m["to"]]
    assert [m["subject"] for m in mine] == ["Second", "First"]
    assert mine[0]["body"] == "Second body" and mine[0]["timestamp"]


def test_the_http_server_speaks_the_same_dispatch(local_env):
    server = Gateway(local_env, handlers={"public_api": pdf_handler}).serve("127.0.0.1", 0).start()
    try:
        with _open(server.url + "/v1/health", timeout=10) as response:
            assert response.read() == b"%PDF-1.7\xff\xfe"
        request = _request(server.url + "/v1/public/lookup", data=b"x" * (MAX_BODY_BYTES + 1))
        with pytest.raises(urllib.error.HTTPError) as error:
            _open(request, timeout=10)
        assert error.value.code == 413
        with pytest.raises(urllib.error.HTTPError) as error:
            _open(server.url + "/%2e%2e/pyproject.toml", timeout=10)
        assert error.value.code == 404
    finally:
        server.stop()


# --- moto patches, relay, seed, scheduler -----------------------------------------------------------------


def test_dynamodb_fast_paths_keep_dynamodb_semantics(local_env):
    dynamodb, table = local_env.client("dynamodb"), local_env.resources.ledger_table
    pk = f"TEST#{uuid.uuid4().hex}"
    item = {"PK": pk, "SK": "A", "n": 42, "flag": True, "nested": {"list": [1, "two", {"x": None}]}, "empty": ""}
    dynamodb.put_item(TableName=table, Item=codec.serialize(item))
    dynamodb.put_item(TableName=table, Item=codec.serialize({"PK": pk, "SK": "B", "blob": b"\x00\x01"}))
    got = codec.deserialize(dynamodb.get_item(TableName=table, Key=codec.serialize({"PK": pk, "SK": "A"}))["Item"])
    assert got == {**item, "n": 42, "nested": {"list": [1, "two", {"x": None}]}}
    pages = dynamodb.get_paginator("query").paginate(
        TableName=table, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": pk}}, Limit=1
    )
    found = [codec.deserialize(i) for page in pages for i in page["Items"]]
    assert [i["SK"] for i in found] == ["A", "B"] and found[1]["blob"] == b"\x00\x01"
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(TableName=table, Item=codec.serialize(item), ConditionExpression="attribute_not_exists(PK)")


def test_a_transaction_that_fails_part_way_or_is_cancelled_leaves_nothing(local_env):
    dynamodb, table = local_env.client("dynamodb"), local_env.resources.ledger_table
    shard = dynamodb_backends[local_env.resources.account_id][local_env.resources.region].tables[table].stream_shard
    pk = f"TXN#{uuid.uuid4().hex}"
    dynamodb.put_item(TableName=table, Item=codec.serialize({"PK": pk, "SK": "A", "n": 1}))
    bump = {"TableName": table, "Key": codec.serialize({"PK": pk, "SK": "A"}), "UpdateExpression": "SET n = n + :one"}
    new_b = {"TableName": table, "Item": codec.serialize({"PK": pk, "SK": "B"})}
    records_before = len(shard.items)
    # When the last write of a transaction fails after its conditions held (an undefined expression value)
    with pytest.raises(dynamodb.exceptions.ClientError):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Update": {**bump, "ExpressionAttributeValues": codec.serialize({":one": 1})}},
                {"Put": new_b},
                {
                    "Update": {
                        **bump,
                        "Key": codec.serialize({"PK": pk, "SK": "C"}),
                        "UpdateExpression": "SET n = :nope",
                    }
                },
            ]
        )
    # Then nothing it wrote is left, in the table or on its stream
    got = dynamodb.query(
        TableName=table, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": pk}}
    )["Items"]
    assert [codec.deserialize(i) for i in got] == [{"PK": pk, "SK": "A", "n": 1}]
    assert len(shard.items) == records_before
    # And a transaction cancelled by a condition writes nothing either
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": new_b},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": codec.serialize({"PK": pk, "SK": "A"}),
                        "ConditionExpression": "n = :two",
                        "ExpressionAttributeValues": codec.serialize({":two": 2}),
                    }
                },
            ]
        )
    assert "Item" not in dynamodb.get_item(TableName=table, Key=codec.serialize({"PK": pk, "SK": "B"}))


def test_concurrent_conditional_writes_let_exactly_one_win(local_env):
    table, key = local_env.resources.ledger_table, f"RACE#{uuid.uuid4().hex}"
    outcomes: list[bool] = []

    def attempt() -> None:
        client = boto3.client("dynamodb", endpoint_url=local_env.endpoint_url, region_name="us-east-1")
        try:
            client.put_item(
                TableName=table,
                Item=codec.serialize({"PK": key, "SK": "X"}),
                ConditionExpression="attribute_not_exists(PK)",
            )
            outcomes.append(True)
        except client.exceptions.ConditionalCheckFailedException:
            outcomes.append(False)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 11 + [True]


def test_the_outbox_relay_puts_new_outbox_items_on_the_bus(local_env):
    from datetime import UTC, datetime

    order = f"ord-{uuid.uuid4().hex}"
    entity = EventEntity("payment", f"pay_{order}", 1)
    item = outbox_item("payment.posted", {"order": order, "amount": 1_000}, at=datetime.now(UTC), entity=entity)
    local_env.client("dynamodb").put_item(TableName=local_env.resources.ledger_table, Item=codec.serialize(item))
    assert local_env.relay_once() >= 1
    (event,) = [e for e in local_env.drain_events() if e["detail"].get("order") == order]
    assert event["detail-type"] == "payment.posted" and event["source"] == "arportal"
    assert local_env.relay_once() == 0  # each item is relayed once


def test_seed_data_is_deterministic_and_its_figures_agree():
    first = seed_data.generate(7, today=date(2026, 5, 1), customers=40)
    assert first.to_items() == seed_data.generate(7, today=date(2026, 5, 1), customers=40).to_items()
    assert first.to_items() != seed_data.generate(8, today=date(2026, 5, 1), customers=40).to_items()
    applied: collections.Counter[str] = collections.Counter()
    for record in first.records:
        if isinstance(record, Allocation):
            applied[record.invoice_id] += record.amount
    invoices = [r for r in first.records if isinstance(r, Invoice)]
    assert all(i.paid == applied[i.invoice_id] for i in invoices)
    assert any(i.is_overdue(date(2026, 5, 1)) for i in invoices)
    statuses = {r.status.value for r in first.records if isinstance(r, Payment)}
    assert {"settled", "posted", "failed"} <= statuses
    assert all(i.issue_date >= date(2026, 5, 1) - timedelta(days=seed_data.HISTORY_DAYS) for i in invoices)


def test_seeding_through_the_api_gives_a_working_demo_customer(local_env):
    # Given a small agency written through DynamoCustomerRecords.put_items (HTTP), with logins of its own
    tag = uuid.uuid4().hex[:8]
    prepared = seed.generate_items(3, customers=3, today=None, currency="USD")

    summary = seed.load(
        local_env,
        write="api",
        prepared=prepared,
        demo_email=f"demo-{tag}@example.com",
        staff_logins={f"agent-{tag}@example.com": ("agent",)},
    )

    # Then the demo customer reads back through the repository, linked to its login
    snapshot = DynamoCustomerRecords(local_env.resources.ledger_table).snapshot(summary.demo_customer_id)
    assert snapshot is not None
    assert {a.department for a in snapshot.accounts} == {"property_tax", "utilities", "parking"}
    assert snapshot.open_invoices and snapshot.recent_payments
    assert snapshot.customer.login_subject
    assert snapshot.customer.email == f"demo-{tag}@example.com"
    assert local_env.login(f"agent-{tag}@example.com").audience == "staff"


def test_the_scheduler_runs_registered_jobs(local_env):
    ran = threading.Event()
    scheduler = Scheduler(local_env, [Job("probe", timedelta(milliseconds=20), lambda env: ran.set())], tick_s=0.01)
    scheduler.start()
    try:
        assert ran.wait(5)
    finally:
        scheduler.stop()


def test_configure_changes_what_every_function_sees(local_env, fake_gateway, customer):
    original = local_env.function_env["APPROVAL_THRESHOLD_MINOR"]
    try:
        local_env.configure(APPROVAL_THRESHOLD_MINOR="123")
        from arportal.config import settings

        assert settings().approval_threshold == 123
        config = local_env.client("lambda").get_function_configuration(
            FunctionName=local_env.resources.functions["workflow_tasks"]
        )
        assert config["Environment"]["Variables"]["APPROVAL_THRESHOLD_MINOR"] == "123"
    finally:
        local_env.configure(APPROVAL_THRESHOLD_MINOR=original)


def test_request_paths_are_decoded_like_api_gateway():
    request = Request("GET", "/v1/portal/invoices/a%20b?x=1")
    assert request.path == "/v1/portal/invoices/a b" and request.query == "x=1"
