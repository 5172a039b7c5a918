"""Who may call the API, how much they may send, and what the server writes down.

* Bound to loopback (the default) the API is open to the machine's own users, and only
  under a loopback ``Host`` header (a web page elsewhere cannot reach it by DNS rebinding).
  Any other address needs a token (``--token`` or ``BONESEARCH_TOKEN``); every ``/api``
  call must then carry it, as ``Authorization: Bearer TOKEN`` or as the session cookie the
  page gets from ``POST /api/session``. Missing or wrong: 401.
* A browser may call the API only from the page itself: a request whose ``Origin`` is not
  the server's own, or whose ``Sec-Fetch-Site`` is ``cross-site`` or ``same-site``, is
  refused (403) on ``/api`` and on any method but GET/HEAD, so a page elsewhere on the
  clinician's machine (another site, another port, a ``file:`` page) cannot drive the
  server. Clients that send neither header (curl, scripts) are not browsers and pass.
* Request bodies are capped (413): uploads at ``upload_max_bytes``, JSON at 64 KiB.
* Every response carries a strict Content-Security-Policy (same origin only) and
  ``Cache-Control: no-store`` on the API, so erased data do not linger in browser caches.
* The access log has the method, the route *template* (``/api/studies/{study_uid}``), the
  status and the time: never a query string, a body or an identifier.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from bonesearch.errors import ServeConfigError

__all__ = [
    "SESSION_COOKIE", "TOKEN_ENV", "AccessLog", "BodyLimit", "OriginGate", "TokenGate", "TrackedSend", "cookie_value",
    "is_loopback", "resolve_token", "same_origin", "send_json", "tokens_match",
]

TOKEN_ENV = "BONESEARCH_TOKEN"
SESSION_COOKIE = "bonesearch_session"
MIN_TOKEN_CHARS = 16
JSON_MAX_BYTES = 64 * 1024
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
PUBLIC_PATHS = ("/", "/favicon.ico")  # the page and its assets carry no data
PUBLIC_PREFIXES = ("/static/",)
CSP = ("default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
log = logging.getLogger("bonesearch.web.access")

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def resolve_token(host: str, token: str | None) -> str | None:
    """The token the API will require (``token``, else ``$BONESEARCH_TOKEN``), or None on loopback without one.

    Raises:
        ServeConfigError: a non-loopback ``host`` without a token, or a token under 16 characters.
    """
    token = token or os.environ.get(TOKEN_ENV) or None
    if token is None and not is_loopback(host):
        raise ServeConfigError(
            f"--host {host} is reachable from other machines: give an access token with --token or "
            f"{TOKEN_ENV} (e.g. `export {TOKEN_ENV}=$(python -c 'import secrets; print(secrets.token_urlsafe(24))')`), "
            f"or keep the default --host 127.0.0.1"
        )
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ServeConfigError(f"the access token has {len(token)} characters: use at least {MIN_TOKEN_CHARS} "
                               f"(e.g. python -c 'import secrets; print(secrets.token_urlsafe(24))')")
    return token


def tokens_match(given: str, token: str) -> bool:
    """Whether ``given`` is ``token`` (constant-time)."""
    return hmac.compare_digest(given.encode(), token.encode())


def cookie_value(token: str) -> str:
    """The session cookie for ``token``: a keyed digest, so the cookie is not the token itself."""
    return hmac.new(token.encode(), b"bonesearch web session", hashlib.sha256).hexdigest()


async def send_json(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    import json

    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class TrackedSend:
    """An ASGI ``send`` that remembers whether the response has started: a middleware that
    catches an error answers it only while :attr:`started` is False (after that, the client
    already has a status line)."""

    def __init__(self, send: Send) -> None:
        self.send, self.started = send, False

    async def __call__(self, event: dict) -> None:
        self.started = self.started or event["type"] == "http.response.start"
        await self.send(event)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _host_name(host_header: str) -> str:
    """The host of a ``Host`` header without its port (``[::1]:8000`` → ``[::1]``)."""
    if host_header.startswith("["):
        return host_header.split("]")[0] + "]"
    return host_header.rsplit(":", 1)[0]


class TokenGate:
    """ASGI middleware: 401 on ``/api`` without the token (when one is set); 400 on a foreign
    ``Host`` when serving loopback without a token."""

    def __init__(self, app, token: str | None) -> None:
        self.app, self.token = app, token
        self.cookie = cookie_value(token) if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.token is None:
            if _host_name(_header(scope, b"host") or "").lower() not in LOOPBACK_NAMES:
                return await send_json(send, 400, "hôte non autorisé : ouvrez la page par http://127.0.0.1 ou "
                                                  "http://localhost (ou lancez le serveur avec --token)")
        elif scope["path"].startswith("/api/") and scope["path"] != "/api/session" and not self._authorised(scope):
            return await send_json(send, 401, "jeton d'accès manquant ou invalide : saisissez le jeton donné "
                                              "à bonesearch serve (--token)",
                                   [(b"www-authenticate", b'Bearer realm="bonesearch"')])
        await self.app(scope, receive, send)

    def _authorised(self, scope: Scope) -> bool:
        auth = _header(scope, b"authorization") or ""
        if auth.lower().startswith("bearer ") and tokens_match(auth[7:].strip(), self.token):
            return True
        cookies = SimpleCookie()
        try:
            cookies.load(_header(scope, b"cookie") or "")
        except Exception:  # a malformed Cookie header is no credential
            return False
        session = cookies.get(SESSION_COOKIE)
        return session is not None and hmac.compare_digest(session.value.encode(), self.cookie.encode())


SAFE_FETCH_SITES = ("same-origin", "none")  # the page itself; the user typing the address or a bookmark
SAFE_METHODS = ("GET", "HEAD")
CROSS_ORIGIN = ("requête d'une autre origine refusée : ce serveur ne répond qu'à sa propre page "
                "(ouvrez-la par son adresse) et aux clients sans en-tête Origin, comme curl")


def same_origin(scope: Scope) -> bool:
    """Whether a request comes from the server's own page, or from no browser page at all.

    ``Sec-Fetch-Site`` (sent by current browsers) must be ``same-origin`` or ``none``;
    ``Origin``, when present, must name the ``Host`` the request was sent to (host and port;
    the scheme is not compared, so that a TLS proxy in front keeps working when it passes
    ``Host`` on). ``Origin: null`` (sandboxed frames, ``file:`` pages) is another origin.
    """
    site = _header(scope, b"sec-fetch-site")
    if site is not None and site.strip().lower() not in SAFE_FETCH_SITES:
        return False
    origin = _header(scope, b"origin")
    return origin is None or _origin_is_host(origin, _header(scope, b"host") or "")


def _origin_is_host(origin: str, host: str) -> bool:
    try:
        sent, served = urlsplit(origin.strip()), urlsplit("//" + host.strip())
        if sent.scheme not in ("http", "https") or not sent.hostname or not served.hostname:
            return False
        default = 443 if sent.scheme == "https" else 80
        return sent.hostname == served.hostname and (sent.port or default) == (served.port or default)
    except ValueError:  # a port that is not a number
        return False


class OriginGate:
    """ASGI middleware: 403 on ``/api`` calls and on any method but GET/HEAD that a browser
    sends from another origin (see :func:`same_origin`)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["path"].startswith("/api") or scope["method"] not in SAFE_METHODS):
            if not same_origin(scope):
                return await send_json(send, 403, CROSS_ORIGIN)
        await self.app(scope, receive, send)


def _size(n: int) -> str:
    """``n`` bytes in French units (Mo from 1 MiB, else Ko)."""
    return f"{n / (1024 * 1024):.0f} Mo" if n >= 1024 * 1024 else f"{max(1, n // 1024)} Ko"


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 when a request body passes its limit (declared or streamed)."""

    def __init__(self, app, upload_max_bytes: int, upload_paths: tuple[str, ...]) -> None:
        self.app, self.upload_max, self.upload_paths = app, upload_max_bytes, upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.upload_max if scope["path"] in self.upload_paths else JSON_MAX_BYTES
        what = " pour une image" if limit == self.upload_max else ""
        message = f"requête trop volumineuse : au plus {_size(limit)}{what}"
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await send_json(send, 413, message)
        seen = 0

        async def limited_receive() -> dict:
            nonlocal seen
            event = await receive()
            if event["type"] == "http.request":
                seen += len(event.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return event

        tracked = TrackedSend(send)
        try:
            await self.app(scope, limited_receive, tracked)
        except _TooLarge:
            if not tracked.started:
                await send_json(send, 413, message)


class AccessLog:
    """ASGI middleware: security headers on every response, and one log line per request
    with the route template only."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), 0
        api = scope["path"].startswith("/api/")

        async def send_with_headers(event: dict) -> None:
            nonlocal status
            if event["type"] == "http.response.start":
                status = event["status"]
                headers = [(k, v) for k, v in event.get("headers", []) if k.lower() != b"cache-control" or not api]
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
                if api:
                    headers.append((b"cache-control", b"no-store"))
                event = {**event, "headers": headers}
            await send(event)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or ("/static/…" if scope["path"].startswith("/static/") else "-")
            log.info("%s %s %s %.0f ms", scope["method"], template, status, (time.perf_counter() - start) * 1000)
