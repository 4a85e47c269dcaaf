"""Stand-ins for Microsoft Graph's calendar and Entra ID's token endpoint, served on 127.0.0.1.

msal accepts only an https authority, so the token endpoint (with the OpenID discovery document
msal reads first) is served over HTTPS with a self-signed certificate made here; msal is given a
requests.Session that trusts exactly that certificate. Graph itself is plain HTTP: the calendar
takes any base URL.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import requests
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TENANT_ID = "00000000-0000-4000-8000-0000000000aa"
CLIENT_ID = "11111111-1111-4111-8111-111111111111"
CLIENT_SECRET = "test-client-secret"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own issuer: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        # Trusted as its own root: OpenSSL wants a CA certificate as the anchor.
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "token-endpoint.pem"
    key_file = directory / "token-endpoint.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def _serve(app: web.Application, ssl_context: ssl.SSLContext | None = None) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    return runner


def _port(runner: web.AppRunner) -> int:
    return int(runner.addresses[0][1])


class FakeTokenEndpoint:
    """Entra ID's v2.0 endpoints for one tenant: the OpenID configuration and the token
    endpoint, answering the client credentials grant for one app registration."""

    def __init__(self, directory: Path) -> None:
        self.cert_file, self._key_file = self_signed_certificate(directory)
        self.token_requests: list[dict[str, str]] = []
        self.issued: list[str] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def authority(self) -> str:
        return f"{self.url}/{TENANT_ID}"

    def http_client(self) -> requests.Session:
        """What msal should talk through: trusting the test certificate and nothing from the
        environment (REQUESTS_CA_BUNDLE would otherwise replace `verify`)."""
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.cert_file)
        return session

    @property
    def current_token(self) -> str:
        return self.issued[-1]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(
            "/{tenant}/v2.0/.well-known/openid-configuration", self._openid_configuration
        )
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self._key_file)
        self._runner = await _serve(app, context)
        self.url = f"https://127.0.0.1:{_port(self._runner)}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _openid_configuration(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        if tenant != TENANT_ID:
            return web.json_response({"error": "invalid_tenant"}, status=400)
        base = f"{self.url}/{tenant}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = {name: values[0] for name, values in parse_qs(await request.text()).items()}
        self.token_requests.append(form)
        if form.get("grant_type") != "client_credentials":
            return self._refuse("unsupported_grant_type")
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self._refuse("invalid_client", status=401)
        if form.get("scope") != GRAPH_SCOPE:
            return self._refuse("invalid_scope")
        token = f"graph-token-{uuid.uuid4().hex}"
        self.issued.append(token)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": token,
            }
        )

    @staticmethod
    def _refuse(error: str, status: int = 400) -> web.Response:
        return web.json_response(
            {"error": error, "error_description": f"AADSTS: {error}", "error_codes": [1]},
            status=status,
        )


@dataclass
class GraphRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class ScriptedFailure:
    status: int
    code: str
    retry_after: str | None = None


@dataclass
class FakeGraph:
    """Graph v1.0's event endpoints for one mailbox: create (201 with an id and the Teams join
    URL, as Graph answers), update, cancel, and a series' instances in a window (each id is the
    series' id and the instance's start). Every request is recorded; failures can be queued."""

    tokens: FakeTokenEndpoint
    organiser_upn: str = "samling@kommune.example"
    requests: list[GraphRequest] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (series id, start) of each instance of a series cancelled on its own.
    cancelled_instances: list[tuple[str, str]] = field(default_factory=list)
    _failures: list[ScriptedFailure] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    url: str = ""

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1.0"

    def fail_next(self, status: int, code: str, retry_after: str | None = None) -> None:
        self._failures.append(ScriptedFailure(status, code, retry_after))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1.0/users/{upn}/events", self._create)
        app.router.add_patch("/v1.0/users/{upn}/events/{event_id}", self._update)
        app.router.add_post("/v1.0/users/{upn}/events/{event_id}/cancel", self._cancel)
        app.router.add_get("/v1.0/users/{upn}/events/{event_id}/instances", self._instances)
        self._runner = await _serve(app)
        self.url = f"http://127.0.0.1:{_port(self._runner)}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response | dict[str, Any]:
        text = await request.text()
        body = json.loads(text) if text else {}
        self.requests.append(
            GraphRequest(request.method, request.path, dict(request.headers), body)
        )
        if self._failures:
            failure = self._failures.pop(0)
            headers = {"request-id": str(uuid.uuid4())}
            if failure.retry_after is not None:
                headers["Retry-After"] = failure.retry_after
            return self._error(failure.status, failure.code, headers)
        if request.headers.get("Authorization") != f"Bearer {self.tokens.current_token}":
            return self._error(401, "InvalidAuthenticationToken")
        if request.match_info["upn"] != self.organiser_upn:
            return self._error(404, "ErrorInvalidUser")
        return body

    async def _create(self, request: web.Request) -> web.Response:
        received = await self._receive(request)
        if isinstance(received, web.Response):
            return received
        event_id = "AAMkAD" + uuid.uuid4().hex + "="
        event = {
            **received,
            "id": event_id,
            "onlineMeeting": {
                "joinUrl": f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{uuid.uuid4().hex}%40thread.v2/0"
            }
            if received.get("isOnlineMeeting")
            else None,
        }
        self.events[event_id] = event
        return web.json_response(event, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        received = await self._receive(request)
        if isinstance(received, web.Response):
            return received
        event = self.events.get(request.match_info["event_id"])
        if event is None:
            return self._error(404, "ErrorItemNotFound")
        event.update(received)
        return web.json_response(event)

    async def _instances(self, request: web.Request) -> web.Response:
        received = await self._receive(request)
        if isinstance(received, web.Response):
            return received
        series = request.match_info["event_id"]
        if series not in self.events:
            return self._error(404, "ErrorItemNotFound")
        start = request.query["startDateTime"]
        return web.json_response({"value": [{"id": f"{series}|{start}", "seriesMasterId": series}]})

    async def _cancel(self, request: web.Request) -> web.Response:
        received = await self._receive(request)
        if isinstance(received, web.Response):
            return received
        series, _, start = request.match_info["event_id"].partition("|")
        if start and series in self.events:
            self.cancelled_instances.append((series, start))
            return web.Response(status=202)
        if self.events.pop(request.match_info["event_id"], None) is None:
            return self._error(404, "ErrorItemNotFound")
        return web.Response(status=202)

    @staticmethod
    def _error(status: int, code: str, headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response(
            {"error": {"code": code, "message": "A message Graph would give."}},
            status=status,
            headers=headers,
        )
