"""The local HTTP gateway: what API Gateway, its Cognito authorizer and CloudFront do in AWS, in one process.

``Gateway.dispatch`` answers one request (tests call it directly); ``Gateway.serve`` puts it behind
``apigw.HttpServer`` (a thread per connection, a deep listen backlog, slow clients cut off). Routing, in order:

- API paths (``catalog.route_for``): Auth.USER routes need a valid Cognito ID token of a person's pool, Auth.MACHINE
  routes an access token of the integrations pool granting an integration scope, Auth.ADMIN_OR_MACHINE routes an
  access token of the staff or the integrations pool granting one of ``catalog.authorization_scopes`` (401 without
  a valid token, or with an ID token where an access token is needed, as API Gateway; 403 with a valid token of the
  wrong kind, before any handler runs); the request becomes an API Gateway REST proxy event for the route's
  function, run in-process;
- ``/oauth2/token``: the integrations pool's token endpoint (OAuth 2.0 client credentials, ``local/oauth.py``);
- ``/local/login`` (tokens for a username/password, or the challenge Cognito asks first: the page answers it on
  Cognito itself), ``/local/clients`` (the connected systems' clients and secrets), ``/local/mailbox`` (what SES
  sent), ``/local/email-events`` (a bounce or complaint, as SES reports it), ``/local/clock`` (read or move the
  product's clock) and ``/local/jobs`` (list the scheduled jobs, run one now): local only;
- ``/config.json`` for the front-ends;
- static files (``local/static.py``); anything else is a 404.

Bodies over ``MAX_BODY_BYTES`` get a 413. A handler that raises gets a 500 with no detail (logged here); a
handler that does not exist yet gets a 502. Every error is ``{"error": {"code", "message", "details"}}``.
Logged paths and request lines never carry a card number (``loggable``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus, urlsplit

from arportal.domain.cards import looks_like_card_number, redact_card_numbers
from infrastructure import catalog
from infrastructure.content_security import content_security_policy
from local import apigw, auth, email_feedback, invoke, mailbox, oauth, static, time_travel
from local.apigw import Request, Response, error_response, json_response
from local.scheduler import Scheduler, UnknownJobError

if TYPE_CHECKING:
    from local.environment import LocalEnvironment

# API Gateway's own limit; the handlers refuse less: 1 MiB of JSON, 10 MiB of a bank file (request_guard)
MAX_BODY_BYTES = 10 * 1024 * 1024
JOBS_PREFIX = "/local/jobs/"
logger = logging.getLogger("local.gateway")


class Gateway:
    stripe_js_url: str | None = None  # a double of Stripe.js (the browser tests'); unset: Stripe's own

    def __init__(
        self,
        env: LocalEnvironment,
        *,
        handlers: Mapping[str, invoke.Handler] | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        """``handlers`` replaces a function's handler by name (tests); others are imported on each request.
        ``scheduler`` runs ``/local/jobs`` (the dev runtime passes its periodic one, so both share the last
        outcomes); without one, the gateway keeps an idle scheduler of ``JOBS`` for on-demand runs (tests)."""
        self.env = env
        self.handlers = dict(handlers or {})
        self.scheduler = scheduler or Scheduler(env)
        resources = env.resources
        people = auth.pools_for(
            resources.endpoint_url,
            resources.region,
            {
                "customer": (resources.customer_pool_id, resources.customer_client_id),
                "staff": (resources.staff_pool_id, resources.staff_client_id),
            },
        )
        machines = auth.machine_pool_for(resources.endpoint_url, resources.region, resources.integrations_pool_id)
        self.verifier = auth.TokenVerifier([*people, machines])
        self.token_endpoint = oauth.TokenEndpoint(
            env.client("cognito-idp"),
            pool_id=resources.integrations_pool_id,
            account=resources.account_id,
            region=resources.region,
        )
        self._local_routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("POST", catalog.TOKEN_PATH): self.token_endpoint.token,
            ("POST", "/local/login"): self._login,
            ("GET", "/local/clients"): self._clients,
            ("GET", "/local/mailbox"): self._mailbox,
            ("POST", "/local/email-events"): self._email_event,
            ("GET", "/local/clock"): self._clock,
            ("POST", "/local/clock"): self._move_clock,
            ("GET", "/local/jobs"): self._jobs,
            ("GET", "/config.json"): self._config,
        }

    # --- dispatch -----------------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        if len(request.body) > MAX_BODY_BYTES:
            return _too_large()
        path = request.path
        route = catalog.route_for(path)
        if route is not None:
            return self._api(request, route)
        local = self._local_routes.get((request.method, path))
        if local is not None:
            return local(request)
        if any(p == path for _, p in self._local_routes) or (path.startswith(JOBS_PREFIX) and request.method != "POST"):
            return error_response(405, "method_not_allowed", f"{request.method} is not allowed on {path}")
        if path.startswith(JOBS_PREFIX):
            return self._run_job(path.removeprefix(JOBS_PREFIX))
        return self._static(request, path)

    def _api(self, request: Request, route: catalog.RouteSpec) -> Response:
        claims = None
        if route.auth is not catalog.Auth.NONE:
            token = auth.bearer_token(request.header("Authorization"))
            if token is None:
                wanted = "id token" if route.auth is catalog.Auth.USER else "access token"
                return error_response(
                    401, "unauthorized", f"sign in: an 'Authorization: Bearer <{wanted}>' is required"
                )
            try:
                verified = self.verifier.verify(token, access=route.auth is catalog.Auth.ADMIN_OR_MACHINE)
            except auth.TokenError as exc:
                return error_response(401, "unauthorized", str(exc))
            refused = _wrong_kind(route.auth, self.verifier.pool_of(verified), verified)
            if refused is not None:
                return error_response(403, "forbidden", refused)
            claims = auth.authorizer_claims(verified)
        event = apigw.build_event(request, route, stage=self.env.config.stage, claims=claims)
        function = route.function
        try:
            handler = self.handlers.get(function) or invoke.import_handler(catalog.function(function).handler)
        except invoke.HandlerUnavailableError as exc:
            logger.error("function %s is unavailable: %s", function, exc)
            return error_response(502, "handler_unavailable", f"the {function} function is not available", str(exc))
        arn = self.env.resources.functions.get(function, "")
        try:
            name = self.env.resources.function_name(function)
            result = invoke.invoke(name, handler, self.env.function_env, event, arn=arn)
        except Exception:
            logger.exception("%s %s: unhandled error in %s", request.method, loggable(request.path), function)
            return error_response(500, "internal_error", "something went wrong; it has been logged")
        return apigw.to_response(result)

    # --- local-only routes --------------------------------------------------------------------------------

    def _login(self, request: Request) -> Response:
        from local.environment import Challenge, LoginError

        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        if not (
            isinstance(body, dict) and isinstance(body.get("username"), str) and isinstance(body.get("password"), str)
        ):
            return error_response(400, "bad_request", 'send {"username": "...", "password": "..."}')
        try:
            tokens = self.env.sign_in(body["username"], body["password"])
        except LoginError as exc:
            return error_response(401, "password_attempts_exceeded" if exc.locked else "unauthorized", str(exc))
        if isinstance(tokens, Challenge):  # the page answers it on Cognito (moto) with its own app client
            return json_response(
                200, {"challenge": tokens.name, "session": tokens.session, "audience": tokens.audience}
            )
        return json_response(
            200,
            {
                "id_token": tokens.id_token,
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "audience": tokens.audience,
            },
        )

    def _clients(self, request: Request) -> Response:
        return json_response(200, {"token_url": catalog.TOKEN_PATH, "clients": self.token_endpoint.clients()})

    def _mailbox(self, request: Request) -> Response:
        resources = self.env.resources
        return json_response(200, {"messages": mailbox.messages(resources.account_id, resources.region)})

    def _email_event(self, request: Request) -> Response:
        """A bounce or complaint of a message to ``address``, as SES would report it (``local/email_feedback.py``)."""
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        if not (
            isinstance(body, dict) and isinstance(body.get("address"), str) and body.get("kind") in email_feedback.KINDS
        ):
            return error_response(
                400, "bad_request", 'send {"address": "...", "kind": "bounce" | "soft_bounce" | "complaint"}'
            )
        return json_response(200, email_feedback.simulate(self.env, body["address"], body["kind"]))

    def _clock(self, request: Request) -> Response:
        return json_response(200, time_travel.reading())

    def _move_clock(self, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return error_response(400, "bad_request", "the body is not JSON", _CLOCK_BODY)
        try:
            return json_response(200, time_travel.move(body))
        except time_travel.BadMove as exc:
            return error_response(400, "bad_request", str(exc), _CLOCK_BODY)
        except time_travel.ClockFixed as exc:
            return error_response(409, "clock_fixed", str(exc), "python -m local installs a clock that can move")

    def _jobs(self, request: Request) -> Response:
        return json_response(200, {"jobs": self.scheduler.describe()})

    def _run_job(self, name: str) -> Response:
        try:
            outcome = self.scheduler.run(name)
        except UnknownJobError:
            return error_response(404, "not_found", f"no job {name!r}", {"jobs": list(self.scheduler.jobs)})
        if not outcome.ok:
            # The job ran and failed (its traceback is on the console): 500 with the job's own message.
            return error_response(500, "job_failed", f"job {name} failed: {outcome.error}", outcome.as_dict())
        return json_response(200, outcome.as_dict())

    def _config(self, request: Request) -> Response:
        resources, config = self.env.resources, self.env.config
        return json_response(
            200,
            {
                "local": True,
                "apiBase": "",  # same origin
                "region": resources.region,
                "agencyName": config.agency_name,
                "currency": config.currency,
                "timeZone": config.time_zone,
                "processor": config.processor,
                **self._stripe_config(),
                "customerUserPoolId": resources.customer_pool_id,
                "customerClientId": resources.customer_client_id,
                "staffUserPoolId": resources.staff_pool_id,
                "staffClientId": resources.staff_client_id,
                "cognitoEndpoint": resources.endpoint_url,
                "loginUrl": "/local/login",
            },
        )

    def _stripe_config(self) -> dict[str, str]:
        config = self.env.config
        if config.processor != "stripe":
            return {}
        found = {"stripePublishableKey": config.stripe_publishable_key or ""}
        return {**found, "stripeJsUrl": self.stripe_js_url} if self.stripe_js_url else found

    # --- static files -------------------------------------------------------------------------------------

    def content_security_policy(self) -> str:
        """The policy CloudFront sends in AWS, for this runtime's origins: the pages are tried under it here."""
        logo = self.env.config.logo_url
        return content_security_policy(
            processor=self.env.config.processor,
            api_origin="'self'",
            connect=[self.env.resources.endpoint_url.rstrip("/")],  # moto: Cognito and the import bucket
            image_origins=[_origin(logo)] if logo else [],
            stripe_js_origin=_origin(self.stripe_js_url) if self.stripe_js_url else None,
        )

    def _static(self, request: Request, path: str) -> Response:
        if request.method not in {"GET", "HEAD"}:
            return error_response(404, "not_found", f"no route for {request.method} {path}")
        if static.needs_slash(path):
            return Response(301, [("Location", path + "/")], b"")
        try:
            found = static.resolve(path)
        except static.Forbidden:
            return error_response(404, "not_found", "no such file")  # no hint that the path escaped
        if found is None:
            return error_response(404, "not_found", f"no route or file for {path}")
        body = found.path.read_bytes()
        headers = [("Content-Type", found.content_type), ("Cache-Control", "no-cache")]
        if found.content_type.startswith("text/html"):
            headers.append(("Content-Security-Policy", self.content_security_policy()))
        return Response(200, headers, body)

    # --- HTTP ---------------------------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 8000) -> LocalHttpServer:
        server = LocalHttpServer((host, port), _HttpHandler)
        server.gateway = self
        return server


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def loggable(target: str) -> str:
    """A request target (path, query, request line) as it may be logged: a card number in it, spelt any way and
    percent-encoded or not, is replaced (``arportal.domain.cards``). The API refuses such a request with a 422, but
    the line saying so must not carry the number either."""
    decoded = unquote_plus(target)
    if looks_like_card_number(decoded) or looks_like_card_number(target):
        return redact_card_numbers(decoded)
    return target


def _wrong_kind(route_auth: catalog.Auth, pool: auth.Pool, claims: dict[str, Any]) -> str | None:
    """Why a valid token of ours may not call this route (API Gateway's authorizer of the route's kind would not
    take it), or None. A people's route takes people's ID tokens; a connected systems' route an access token of
    the integrations pool granting at least one integration scope (the route's ``authorization_scopes``); an
    administrators' and connected systems' route an access token of the staff or the integrations pool (its
    authorizer has only those two) granting one of its scopes."""
    kind = pool.kind
    scopes = set(str(claims.get("scope", "")).split())
    if route_auth is catalog.Auth.USER and kind != "user":
        return "this route is for people signed in to the portal or the console, not for connected systems"
    if route_auth is catalog.Auth.MACHINE:
        if kind != "machine":
            return "this route is for connected systems: send an access token from POST /oauth2/token"
        if not scopes & set(catalog.authorization_scopes(route_auth)):
            return "the token grants no integration scope"
    if route_auth is catalog.Auth.ADMIN_OR_MACHINE:
        if kind != "machine" and pool.name != "staff":
            return "this route is for the agency's administrators and its connected systems, not for customers"
        if not scopes & set(catalog.authorization_scopes(route_auth)):
            return "the token grants none of this route's scopes"
    return None


_CLOCK_BODY = {"expected": '{"advance_days": N} (N >= 1) or {"today": "YYYY-MM-DD"} (not before today)'}


def _too_large() -> Response:
    return error_response(413, "body_too_large", f"request bodies are limited to {MAX_BODY_BYTES} bytes")


class LocalHttpServer(apigw.HttpServer):
    gateway: Gateway
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalHttpServer:
        """Serve on a background thread (tests); ``serve_forever`` on the main thread is the dev runtime's way."""
        self._thread = threading.Thread(target=self.serve_forever, name="gateway", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


_DRAIN_LIMIT_BYTES = 16 * 1024 * 1024


def _discard(stream: Any, length: int) -> None:
    while length > 0:
        chunk = stream.read(min(length, 64 * 1024))
        if not chunk:
            return
        length -= len(chunk)


class _HttpHandler(apigw.HttpHandler):
    server: LocalHttpServer
    server_version = "ArPortalLocal/1.0"

    def _handle(self) -> None:
        started = time.perf_counter()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            response = error_response(400, "bad_request", "invalid Content-Length")
            self.close_connection = True
        elif length > MAX_BODY_BYTES:
            response = _too_large()
            # Read and drop a moderately oversized body first: answering while the client is still sending makes
            # its next write fail with a broken pipe, and it would never see the 413. Larger bodies are cut off.
            if length <= _DRAIN_LIMIT_BYTES:
                _discard(self.rfile, length)
            self.close_connection = True  # any unread body must not be taken for the next request
        else:
            body = self.rfile.read(length) if length else b""
            request = Request(self.command, self.path, list(self.headers.items()), body, self.client_address[0])
            response = self.server.gateway.dispatch(request)
        self._send(response)
        elapsed = (time.perf_counter() - started) * 1000
        logger.info("%s %s %s %.0fms", self.command, loggable(self.path.split("?", 1)[0]), response.status, elapsed)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in {"content-length", "connection"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def log_message(self, format: str, *args: Any) -> None:
        # http.server logs the request line (path and query) with every response and error: redacted too.
        logger.debug(format, *(loggable(a) if isinstance(a, str) else a for a in args))
