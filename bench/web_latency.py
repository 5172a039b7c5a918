"""Web page latency on a 10 k-image demo store: first page interactive, query round trip,
thumbnail served — against the issue's targets (1 s, 100 ms p50, 20 ms).

    .venv/bin/python bench/web_latency.py --source demo-out/store [--images 10000] [--work /tmp/bonesearch-web-bench]

The 10 k store is made in seconds from any indexed store (``make demo``'s 1,062 images by
default) by replication instead of a 10 k-study demo run (which takes long on 2 cores):
copy *c* of every study, image and report gets ids offset by *c* × (max id + 1), UIDs and
pseudonyms suffixed ``.c``, dates shifted by *c* weeks; its cached PNG is a hard link to the
original's; its vector is the original's plus Gaussian noise (σ 0.05 per coordinate, then
re-normalised) so that rankings have no exact ties; study vectors are the normalised mean of
their images', as ``bonesearch index`` writes them. The model is the source index's, so text
queries are encoded by the real model and run over 10 k real-shaped vectors, filters over
10 k DuckDB rows.

Measured through the real server (uvicorn, in a thread of this process):

* ``first page interactive``: a fresh browser context (empty cache) opens the page; from
  navigation start until the page marks itself usable (``bonesearch-ready``: the store's
  counts and filter values loaded, the query box enabled). Headless Chromium via Playwright;
  median of 5 loads.
* ``query round trip``: ``POST /api/search`` (French text, 24 results, one in three with a
  filter) on a keep-alive connection, request sent → JSON parsed; p50 over 60 queries after
  5 warm-up ones.
* ``thumbnail served``: ``GET /api/images/{id}/thumbnail`` for 200 random images, p50.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bonesearch.report_keys import KEYS_DIR  # noqa: E402
from bonesearch.store import DB_NAME, REPORT_TEXT_COLUMNS, Store  # noqa: E402
from bonesearch.index.backends import index_ids  # noqa: E402
from bonesearch.index.files import IndexManifest, build_flat_index, read_index, write_index  # noqa: E402

TARGETS = {"first page interactive": 1000.0, "query round trip p50": 100.0, "thumbnail served p50": 20.0}
QUERIES = ["fracture du radius distal", "arthrose du genou", "luxation de l'épaule", "fracture du scaphoïde",
           "coxarthrose", "matériel d'ostéosynthèse", "pas de fracture", "gonarthrose interne",
           "fracture de la cheville", "entorse de la cheville", "fracture du col du fémur", "scoliose lombaire",
           "fracture de la clavicule", "âge osseux", "fracture du coude", "hallux valgus"]
NOISE = 0.05


def replicate_store(source: Path, dest: Path, images: int, seed: int = 0) -> Path:
    """A store of about ``images`` images at ``dest``, replicated from the indexed store ``source``."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "pixels").mkdir(parents=True)
    shutil.copytree(source / KEYS_DIR, dest / KEYS_DIR)  # the copies' keys are made beside them, not in the source
    shutil.copyfile(source / DB_NAME, dest / DB_NAME)
    con = Store.snapshot(dest).con
    (dest / DB_NAME).unlink()
    n_images = con.execute("SELECT count(*) FROM images").fetchone()[0]
    copies = max(1, math.ceil(images / n_images))
    offsets = {t: con.execute(f"SELECT max({c}) + 1 FROM {t}").fetchone()[0]
               for t, c in (("studies", "study_id"), ("images", "image_id"), ("reports", "report_id"))}
    con.execute("DELETE FROM sources")
    for c in range(1, copies):
        so, io_, ro = offsets["studies"] * c, offsets["images"] * c, offsets["reports"] * c
        con.execute(f"""INSERT INTO studies SELECT study_id + {so}, study_uid || '.{c}', patient_pseudo || '.{c}',
                        accession_pseudo || '.{c}', study_date + INTERVAL {7 * c} DAY, modality, body_part, age_months, sex
                        FROM studies WHERE study_id < {offsets['studies']}""")
        con.execute(f"""INSERT INTO images SELECT image_id + {io_}, study_id + {so}, sop_uid || '.{c}', series_uid || '.{c}',
                        modality, body_part, view, laterality, manufacturer, rows, cols, pixel_spacing_mm, photometric,
                        transfer_syntax, bits_stored, 'pixels/' || (image_id + {io_}) || '.png'
                        FROM images WHERE image_id < {offsets['images']}""")
        sealed = ", ".join(f"bonesearch_seal(report_id + {ro}, {column})" for column in REPORT_TEXT_COLUMNS)
        con.execute(f"""INSERT INTO sealed_reports SELECT report_id + {ro}, study_id + {so},
                        report_date + INTERVAL {7 * c} DAY, {sealed} FROM reports WHERE report_id < {offsets['reports']}""")
    con.execute(f"ATTACH '{dest / DB_NAME}' AS out")
    con.execute("COPY FROM DATABASE memory TO out")
    con.execute("DETACH out")
    paths = con.execute("SELECT image_id, pixel_path FROM images").fetchall()
    originals = dict(con.execute(f"SELECT image_id, pixel_path FROM images WHERE image_id < {offsets['images']}").fetchall())
    con.close()
    for image_id, relative in paths:
        original = source / originals[image_id % offsets["images"]]
        target = dest / relative
        try:
            os.link(original, target)
        except OSError:  # another filesystem
            shutil.copyfile(original, target)
    _replicate_vectors(source, dest, copies, offsets, seed)
    return dest


def _replicate_vectors(source: Path, dest: Path, copies: int, offsets: dict[str, int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    index, manifest = read_index(source / "index", "images")
    ids = index_ids(index)
    vectors = index.reconstruct_batch(ids)
    all_ids, all_vectors = [ids], [vectors]
    for c in range(1, copies):
        noisy = vectors + rng.normal(0, NOISE, vectors.shape).astype(np.float32)
        all_ids.append(ids + offsets["images"] * c)
        all_vectors.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    image_ids, image_vectors = np.concatenate(all_ids), np.concatenate(all_vectors).astype(np.float32)
    with Store.open(dest) as store:
        study_of = dict(store.con.execute("SELECT image_id, study_id FROM images").fetchall())
    studies = np.array([study_of[int(i)] for i in image_ids])
    study_ids, inverse = np.unique(studies, return_inverse=True)
    sums = np.zeros((len(study_ids), image_vectors.shape[1]), np.float32)
    np.add.at(sums, inverse, image_vectors)
    study_vectors = sums / np.linalg.norm(sums, axis=1, keepdims=True)
    for name, keys, vecs in (("images", image_ids, image_vectors), ("studies", study_ids, study_vectors)):
        meta = IndexManifest(name=name, model_fingerprint=manifest.model_fingerprint, checkpoint=manifest.checkpoint,
                             dim=manifest.dim, count=len(keys), ids="image_id" if name == "images" else "study_id")
        write_index(dest / "index", build_flat_index(keys.astype(np.int64), vecs), meta)


def first_page_ms(url: str, loads: int = 5) -> float:
    """Median navigation start → ``bonesearch-ready`` mark, fresh context each time."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for _ in range(loads + 1):  # the first load warms the server's code paths, not the browser cache
            context = browser.new_context()
            page = context.new_page()
            page.goto(url + "/")
            page.wait_for_selector("body[data-ready]")
            times.append(page.evaluate("performance.getEntriesByName('bonesearch-ready')[0].startTime"))
            context.close()
        browser.close()
    return statistics.median(times[1:])


def screenshot(url: str, path: Path, query: str = "fracture du radius distal", max_colours: int = 96) -> None:
    """The page after a French query, 1280 × 1060, as a small palette PNG (the README's picture)."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=fr-FR"],
            env={**os.environ, "LANGUAGE": "fr", "LANG": "fr_FR.UTF-8"})  # French date fields
        page = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1060}).new_page()
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready]")
        page.fill("#q", query)
        page.press("#q", "Enter")
        page.wait_for_selector(".card img")
        page.wait_for_function("() => [...document.querySelectorAll('.card img')].slice(0, 10).every(i => i.complete)")
        page.locator("#q").blur()
        raw = page.screenshot()
        browser.close()
    import io

    picture = Image.open(io.BytesIO(raw)).convert("RGB").quantize(max_colours, dither=Image.Dither.NONE)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, optimize=True)


def _timed(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
           headers: dict | None = None) -> tuple[float, bytes]:
    start = time.perf_counter()
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"{method} {path}: HTTP {response.status} {data[:200]!r}")
    return (time.perf_counter() - start) * 1000, data


def query_round_trips(host: str, port: int, body_parts: list[str], n: int = 60, warmup: int = 5) -> list[float]:
    connection = http.client.HTTPConnection(host, port)
    times = []
    for i in range(warmup + n):
        request = {"query": QUERIES[i % len(QUERIES)], "per_page": 24}
        if i % 3 == 2 and body_parts:
            request["filters"] = {"body_part": body_parts[i % len(body_parts)], "age_min": 18}
        ms, data = _timed(connection, "POST", "/api/search", json.dumps(request).encode(),
                          {"Content-Type": "application/json"})
        json.loads(data)
        if i >= warmup:
            times.append(ms)
    connection.close()
    return times


def thumbnail_times(host: str, port: int, image_ids: list[int], n: int = 200, seed: int = 0) -> list[float]:
    connection = http.client.HTTPConnection(host, port)
    rng = np.random.default_rng(seed)
    times = [_timed(connection, "GET", f"/api/images/{int(i)}/thumbnail")[0] for i in rng.choice(image_ids, n)]
    connection.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("demo-out/store"), help="an indexed store to replicate")
    parser.add_argument("--images", type=int, default=10_000, help="about this many images in the bench store")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bonesearch-web-bench"))
    parser.add_argument("--reuse", action="store_true", help="reuse WORK/store when it exists")
    parser.add_argument("--screenshot", type=Path, help="also save the page after a query here (docs/img/web-search.png)")
    args = parser.parse_args()

    from bonesearch.web.app import background_server, create_app

    store = args.work / "store"
    if not (args.reuse and (store / DB_NAME).is_file()):
        start = time.perf_counter()
        replicate_store(args.source, store, args.images)
        print(f"# replicated {args.source} into {store} in {time.perf_counter() - start:.1f} s")
    app = create_app(store)
    live = app.state.live
    print(f"# store: {live.counts['images']} images, {live.counts['studies']} studies; "
          f"{os.cpu_count()} CPUs; torch threads default")
    with live.use() as engine:
        image_ids = [int(i) for (i,) in engine.store.con.execute("SELECT image_id FROM images").fetchall()]
    with background_server(app) as url:
        host, port = url.removeprefix("http://").split(":")
        queries = query_round_trips(host, int(port), live.facets.body_parts)
        thumbs = thumbnail_times(host, int(port), image_ids)
        first = first_page_ms(url)
        if args.screenshot:
            screenshot(url, args.screenshot)
            print(f"# screenshot → {args.screenshot} ({args.screenshot.stat().st_size // 1024} KiB)")
    figures = {"first page interactive": first, "query round trip p50": statistics.median(queries),
               "thumbnail served p50": statistics.median(thumbs)}
    for name, value in figures.items():
        print(f"{name}: {value:.1f} ms ({value / TARGETS[name]:.2f} of target {TARGETS[name]:.0f} ms)")
    print(f"# query round trip p90 {np.percentile(queries, 90):.1f} ms, max {max(queries):.1f} ms; "
          f"thumbnail p90 {np.percentile(thumbs, 90):.1f} ms")


if __name__ == "__main__":
    main()
