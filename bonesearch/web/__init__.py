"""``bonesearch serve``: the web search page and its JSON API, over the search engine.

The page (plain HTML/CSS/JS in ``static/``, served by the app itself, nothing from a CDN)
asks the API; the API calls :class:`bonesearch.search.engine.SearchEngine` and nothing else to
search. Modules:

* :mod:`~bonesearch.web.app` — the FastAPI app factory and :func:`serve` (uvicorn);
* :mod:`~bonesearch.web.api` — the read-only JSON routes;
* :mod:`~bonesearch.web.schemas` — request/response shapes, filters → the engine's ``where``;
* :mod:`~bonesearch.web.live` — the engine over an in-memory snapshot of the store,
  reopened when ``forget`` or ``index`` rewrites it;
* :mod:`~bonesearch.web.security` — loopback/token and same-origin rules, request size limit, headers, logs;
* :mod:`~bonesearch.web.errors` — French error answers (422 without the values sent, 413/415
  for uploads) and the 500 that replaces a traceback;
* :mod:`~bonesearch.web.highlight` — where the query's terms fall in a report excerpt.

See docs/web.md.
"""

from bonesearch.web.app import create_app, serve

__all__ = ["create_app", "serve"]
