"""A stand-in for Microsoft's token service, so that the bot's real token validation runs.

A test CA (trusted for the whole run, see `trust_test_ca`) signs a certificate for Microsoft's
login hosts; a local HTTPS server with it serves the OpenID metadata and signing keys the bot
fetches (the channel's, the emulator's) and the token endpoint its own credentials call (msal); a
local CONNECT proxy tunnels every connection to that server. A test points `https_proxy` at the
proxy (and `REQUESTS_CA_BUNDLE`, which msal's requests reads instead of SSL_CERT_FILE, at the
bundle): the bot fetches the real URLs and reaches the stand-in. `sign` makes tokens with the
keys it publishes. Nothing of the bot or of the SDK is patched.
"""

from __future__ import annotations

import atexit
import datetime
import http.server
import json
import os
import select
import socket
import socketserver
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

HOSTS = ["login.botframework.com", "login.microsoftonline.com", "login.microsoftonline.us"]
# The Bot Framework's own tenant (botframework.com): it issues the bot's outgoing tokens.
BOTFRAMEWORK_TENANT = "d6d49420-f39b-4df7-a1dc-d59a935871db"
CHANNEL_KEYS = "https://login.botframework.com/v1/.well-known/keys"
EMULATOR_KEYS = "https://login.microsoftonline.com/common/discovery/v2.0/keys"
TOKEN_ENDPOINT = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
    )


@dataclass(frozen=True)
class LoginCA:
    """The CA that signs the stand-in's certificate, trusted for the whole test run."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    # The CAs trusted before, and this one.
    bundle: Path

    def server_certificate(self, directory: Path) -> Path:
        """A certificate for the login hosts, with its key, in one PEM file."""
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            _certificate(HOSTS[0], key, self.certificate.subject)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in HOSTS]), False)
            .sign(self.key, hashes.SHA256())
        )
        path = directory / "login-hosts.pem"
        path.write_bytes(
            certificate.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return path


_test_ca: LoginCA | None = None


def trust_test_ca() -> LoginCA:
    """Make a test CA and add it to the CAs this process trusts (SSL_CERT_FILE: those already
    trusted and the test CA); once per process.

    Must run before aiohttp is imported: aiohttp reads the trusted CAs once, at import
    (aiohttp/connector.py, `_SSL_CONTEXT_VERIFIED`), so SSL_CERT_FILE set later is not seen by
    the bot's aiohttp sessions. tests/__init__.py calls it. (urllib and requests read it on each
    request.)"""
    global _test_ca
    if _test_ca is None:
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            _certificate("TryggEst test CA", key, _name("TryggEst test CA"))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        trusted = os.environ.get("SSL_CERT_FILE") or ssl.get_default_verify_paths().cafile
        bundle = Path(trusted).read_bytes() if trusted and Path(trusted).is_file() else b""
        fd, name = tempfile.mkstemp(prefix="tryggest-test-ca-", suffix=".pem")
        with os.fdopen(fd, "wb") as file:
            file.write(bundle + b"\n" + certificate.public_bytes(serialization.Encoding.PEM))
        atexit.register(os.unlink, name)
        os.environ["SSL_CERT_FILE"] = name
        _test_ca = LoginCA(key, certificate, Path(name))
    return _test_ca


_RUN_KEYS = {"channel": _new_key(), "emulator": _new_key()}


@dataclass
class TokenService:
    """The login hosts' documents and keys, and the tokens signed with those keys."""

    app_id: str
    # The same keys for the whole run, as Microsoft's stay for weeks: the SDK keeps the keys it
    # fetched for the process, and asks again for a key id it has not seen only now and then.
    channel_key: rsa.RSAPrivateKey = field(default_factory=lambda: _RUN_KEYS["channel"])
    emulator_key: rsa.RSAPrivateKey = field(default_factory=lambda: _RUN_KEYS["emulator"])
    # The paths asked for, in order (GET and POST).
    requests: list[str] = field(default_factory=list)

    def sign(self, claims: dict[str, Any], *, emulator: bool = False) -> str:
        """A token with `claims` (valid for ten minutes), signed with the channel's key or the
        emulator's."""
        now = int(time.time())
        key, key_id = (self.emulator_key, "emulator") if emulator else (self.channel_key, "channel")
        payload = {"nbf": now - 60, "iat": now - 60, "exp": now + 600, **claims}
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": key_id})

    def outgoing_token(self) -> str:
        """What the Bot Framework's tenant gives the bot for calling the Bot Connector."""
        return self.sign(
            {
                "iss": f"https://sts.windows.net/{BOTFRAMEWORK_TENANT}/",
                "aud": "https://api.botframework.com",
                "appid": self.app_id,
                "ver": "1.0",
            },
            emulator=True,
        )

    def answer(self, method: str, path: str) -> dict[str, Any] | None:
        self.requests.append(f"{method} {path}")
        if method == "POST":
            if path == TOKEN_ENDPOINT.removeprefix("https://login.microsoftonline.com"):
                token = self.outgoing_token()
                return {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
            return None
        documents = {
            "/v1/.well-known/openidconfiguration": {
                "issuer": "https://api.botframework.com",
                "jwks_uri": CHANNEL_KEYS,
            },
            "/v1/.well-known/keys": {"keys": [_jwk(self.channel_key, "channel", ["msteams"])]},
            "/common/v2.0/.well-known/openid-configuration": {
                "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
                "jwks_uri": EMULATOR_KEYS,
            },
            "/common/discovery/v2.0/keys": {"keys": [_jwk(self.emulator_key, "emulator", [])]},
            # The Agents SDK looks an Entra-issued token's key up in the bot's own tenant.
            "/botframework.com/discovery/v2.0/keys": {
                "keys": [_jwk(self.emulator_key, "emulator", [])]
            },
            # msal's tenant discovery, before it asks for the bot's outgoing token.
            "/botframework.com/v2.0/.well-known/openid-configuration": {
                "issuer": f"https://login.microsoftonline.com/{BOTFRAMEWORK_TENANT}/v2.0",
                "authorization_endpoint": TOKEN_ENDPOINT.replace("/token", "/authorize"),
                "token_endpoint": TOKEN_ENDPOINT,
            },
        }
        return documents.get(path.split("?")[0])


def _jwk(key: rsa.RSAPrivateKey, key_id: str, endorsements: list[str]) -> dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=key_id, use="sig", endorsements=endorsements)
    return dict(jwk)


class _LoginHosts(http.server.BaseHTTPRequestHandler):
    server: _HttpsServer

    def do_GET(self) -> None:
        self._reply(self.server.service.answer("GET", self.path))

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._reply(self.server.service.answer("POST", self.path))

    def _reply(self, document: dict[str, Any] | None) -> None:
        body = json.dumps(document or {"error": "not_found"}).encode()
        self.send_response(200 if document is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _HttpsServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, service: TokenService, certificate: Path) -> None:
        super().__init__(("127.0.0.1", 0), _LoginHosts)
        self.service = service
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate)
        self.socket = context.wrap_socket(self.socket, server_side=True)


class _Tunnel(socketserver.StreamRequestHandler):
    """CONNECT host:443 → a tunnel to the HTTPS server, whatever the host."""

    server: _Proxy

    def handle(self) -> None:
        if not self.rfile.readline().startswith(b"CONNECT "):
            return
        while self.rfile.readline() not in (b"\r\n", b""):
            pass
        with socket.create_connection(("127.0.0.1", self.server.https_port)) as upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            ends = [self.connection, upstream]
            while True:
                readable, _, _ = select.select(ends, [], [], 10)
                if not readable:
                    return
                for end in readable:
                    data = end.recv(65536)
                    if not data:
                        return
                    (upstream if end is self.connection else self.connection).sendall(data)


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, https_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _Tunnel)
        self.https_port = https_port


def _serve(server: socketserver.BaseServer) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


class Running:
    """The stand-in while it runs: its proxy's URL and the CA bundle that trusts it."""

    def __init__(self, service: TokenService, directory: Path) -> None:
        ca = trust_test_ca()
        self.ca_bundle = ca.bundle
        self._https = _HttpsServer(service, ca.server_certificate(directory))
        self._proxy = _Proxy(self._https.server_address[1])
        self.proxy_url = f"http://127.0.0.1:{self._proxy.server_address[1]}"
        _serve(self._https)
        _serve(self._proxy)

    def serve(self, service: TokenService) -> None:
        """Answer as `service` from now on (the proxy and its URL stay)."""
        self._https.service = service

    def close(self) -> None:
        for server in (self._proxy, self._https):
            server.shutdown()
            server.server_close()
