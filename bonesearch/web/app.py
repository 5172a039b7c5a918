"""The FastAPI app of ``bonesearch serve`` and the uvicorn runner.

```python
app = create_app("demo-out/store")                    # loopback, no token
app = create_app(store, host="0.0.0.0", token="…")    # every /api call needs the token
serve("demo-out/store", port=8000)                     # what the CLI runs
```
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from bonesearch.web.api import IMAGE_SEARCH_PATH, router
from bonesearch.web.errors import InternalErrors, install_error_handlers
from bonesearch.web.live import LiveEngine
from bonesearch.web.security import AccessLog, BodyLimit, OriginGate, TokenGate, resolve_token

__all__ = ["UPLOAD_MAX_BYTES", "background_server", "create_app", "serve"]

STATIC = Path(__file__).parent / "static"
UPLOAD_MAX_BYTES = 64 * 1024 * 1024  # a large uncompressed DX fits; more is refused with 413


def create_app(store: Path | str, *, host: str = "127.0.0.1", token: str | None = None, device: str = "cpu",
               upload_max_bytes: int = UPLOAD_MAX_BYTES, live: LiveEngine | None = None) -> FastAPI:
    """The web app over ``store`` (opened now, read-only, as an in-memory snapshot).

    ``host`` is where it will be bound: anything but loopback requires ``token`` (or
    ``$BONESEARCH_TOKEN``), and with a token every ``/api`` call needs it. Browsers may call
    the API from the server's own page only (``Origin`` / ``Sec-Fetch-Site``, 403 otherwise).

    Raises:
        ServeConfigError: a non-loopback host without a token, or a short token.
        StoreNotFound, IndexNotFound, ModelMismatch: the store cannot be searched.
    """
    token = resolve_token(host, token)
    app = FastAPI(title="bonesearch", version="1", summary="Search a de-identified bone X-ray archive in French.",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")  # the docs pages load a CDN
    app.state.live = live or LiveEngine(store, device=device)
    app.state.token = token
    app.state.upload_max_bytes = upload_max_bytes
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})

    install_error_handlers(app)
    app.add_middleware(BodyLimit, upload_max_bytes=upload_max_bytes, upload_paths=(router.prefix + IMAGE_SEARCH_PATH,))
    app.add_middleware(TokenGate, token=token)
    app.add_middleware(OriginGate)  # before the token: another site's page is refused whatever it carries
    app.add_middleware(InternalErrors)  # an unexpected exception: a French 500 and one log line, no traceback
    app.add_middleware(AccessLog)  # outermost: sees every response, 401, 403, 413 and 500 included
    return app


def serve(store: Path | str, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          device: str = "cpu", upload_max_bytes: int = UPLOAD_MAX_BYTES) -> None:
    """Run the app with uvicorn until interrupted. uvicorn's own access log is off: it would
    log query strings; :class:`~bonesearch.web.security.AccessLog` logs route templates only."""
    import uvicorn

    app = create_app(store, host=host, token=token, device=device, upload_max_bytes=upload_max_bytes)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    shown = f"[{host}]" if ":" in host else host
    logging.getLogger("bonesearch.web").info("page: http://%s:%d/ (%s)", shown, port,
                                             "access token required" if app.state.token else "loopback only, no token")
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info", server_header=False,
                limit_concurrency=64, timeout_keep_alive=5)


@contextmanager
def background_server(app: FastAPI, start_timeout_s: float = 30.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1, a free port, in a thread (tests, benchmarks);
    yields the base URL and stops the server on exit."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="bonesearch-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the web server did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
