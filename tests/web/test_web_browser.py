"""End to end in a real headless Chromium (Debian ``chromium``, driven by Playwright): the
page served by uvicorn on the session's demo store — a French query, result cards with
marked terms, a filter, a study, « cas similaires », an image dropped on the page, the
keyboard. Screenshots go to ``test-artifacts/web/``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.web_store import indexed_demo_store

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
INSTALL = ("make setup (or: sudo apt-get install chromium chromium-driver && "
           ".venv/bin/pip install playwright fastapi uvicorn)")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=f"no system Chromium for the browser tests: {INSTALL}")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason=f"Playwright is not installed: {INSTALL}")
    pytest.importorskip("uvicorn", reason=f"uvicorn is not installed: {INSTALL}")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(browser, pretrain_store, tmp_path_factory):
    from bonesearch.web.app import background_server, create_app

    store = indexed_demo_store(pretrain_store, tmp_path_factory.mktemp("web"))
    with background_server(create_app(store)) as url:
        yield url, store


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 950})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server[0] + "/")
    page.wait_for_selector("body[data-ready]")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def _search(page, query: str) -> dict:
    page.fill("#q", query)
    with page.expect_response(lambda r: r.url.endswith("/api/search")) as response:
        page.press("#q", "Enter")
    page.wait_for_selector(".card")
    return response.value.json()


def test_query_filter_study_similar_and_drop(page, server):
    _shot(page, "01-page")
    assert page.locator("#examples button").count() >= 3

    # a French query: result cards, the query's words marked in the excerpts
    found = _search(page, "fracture du radius distal")
    cards = page.locator("#results .card")
    assert cards.count() == len(found["results"]) > 0
    assert page.locator("#results .card mark").count() == sum(len(r["marks"]) for r in found["results"])
    first = found["results"][0]
    assert page.locator("#results .card").first.get_attribute("data-study") == first["study_uid"]
    page.wait_for_function(  # the first thumbnail arrives and decodes (lazy images load after the cards)
        "() => { const img = document.querySelector('#results .card img'); return img && img.complete && img.naturalWidth > 0 }")
    _shot(page, "02-results")

    # a filter: the search reruns, every card is of the chosen body part
    part = page.locator("#f-body_part option").nth(1).get_attribute("value")
    with page.expect_response(lambda r: r.url.endswith("/api/search")) as response:
        page.select_option("#f-body_part", part)
    filtered = response.value.json()
    page.wait_for_function("n => document.querySelectorAll('#results .card').length === n", arg=len(filtered["results"]))
    assert filtered["results"] and {r["body_part"] for r in filtered["results"]} == {part}
    _shot(page, "03-filtered")

    # open a study (keyboard: Enter on the focused card), then « cas similaires »
    uid = filtered["results"][0]["study_uid"]
    page.locator("#results .card").first.focus()
    with page.expect_response(lambda r: "/api/studies/" in r.url) as response:
        page.keyboard.press("Enter")
    study = response.value.json()
    page.wait_for_selector("#study[open]")
    assert page.locator("#study-images img").count() == len(study["images"])
    report = page.inner_text("#study-report")
    assert study["reports"] and study["reports"][0]["conclusion"].split()[0] in report
    _shot(page, "04-study")
    with page.expect_response(lambda r: r.url.endswith("/similar")) as response:
        page.click("#similar")
    similar = response.value.json()
    page.wait_for_function("() => !document.querySelector('#study').open")
    page.wait_for_function("n => document.querySelectorAll('#results .card').length === n", arg=len(similar["results"]))
    assert similar["kind"] == "studies" and uid not in {r["study_uid"] for r in similar["results"]}
    assert "Cas similaires" in page.inner_text("#results-title")
    _shot(page, "05-similar")

    # drop an image file on the page: image-to-image search, the image never leaves memory
    page.click("#clear-filters")
    png = (server[1] / "pixels").glob("*.png").__next__().read_bytes()
    transfer = page.evaluate_handle(
        """bytes => { const t = new DataTransfer();
                      t.items.add(new File([new Uint8Array(bytes)], 'cliche.png', { type: 'image/png' }));
                      return t; }""", list(png))
    with page.expect_response(lambda r: "/api/search/image" in r.url) as response:
        page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    dropped = response.value.json()
    assert response.value.status == 200 and dropped["results"]
    page.wait_for_function("() => document.querySelector('#results-title').textContent.includes('cliche.png')")
    assert page.locator("#results .card").count() == len(dropped["results"])
    _shot(page, "06-dropped-image")


def test_keyboard_and_pages(page):
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.locator("#examples button").first.focus()
    with page.expect_response(lambda r: r.url.endswith("/api/search")) as response:
        page.keyboard.press("Enter")
    first = response.value.json()
    page.wait_for_selector(".card")
    if first["has_more"]:
        page.locator("body").click(position={"x": 5, "y": 5})
        with page.expect_response(lambda r: r.url.endswith("/api/search")) as response:
            page.keyboard.press("ArrowRight")
        assert response.value.json()["page"] == 2
        page.wait_for_function("() => document.querySelector('#page-label').textContent === 'page 2'")
    page.locator("#results .card").first.click()
    page.wait_for_selector("#study[open]")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#study').open")


def test_bad_upload_shows_the_servers_message(page):
    page.set_input_files("#file", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"pas une image"}])
    page.wait_for_selector("#status.error")
    assert "PNG, JPEG ou DICOM" in page.inner_text("#status")


def test_home_page_hides_the_pager_and_filters_show_with_the_results(page):
    assert not page.locator("#pager").is_visible()  # the CSS once showed it on the empty page
    _search(page, "fracture")
    part = page.locator("#f-body_part option").nth(1)
    with page.expect_response(lambda r: r.url.endswith("/api/search")):
        page.select_option("#f-body_part", part.get_attribute("value"))
    page.wait_for_function("name => document.querySelector('#results-title').textContent.includes('filtres : ' + name)",
                           arg=part.inner_text())


def test_quick_filter_edits_send_one_search_and_errors_replace_stale_results(page):
    _search(page, "fracture")
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.url.endswith("/api/search") else None)
    with page.expect_response(lambda r: r.url.endswith("/api/search")):
        page.fill("#f-age_min", "2")
        page.fill("#f-age_min", "20")  # typed within the debounce: one search, for 20
    page.wait_for_timeout(400)
    assert len(sent) == 1
    # age_min above age_max: the server's 422 takes the place of the (now stale) cards
    with page.expect_response(lambda r: r.url.endswith("/api/search") and r.status == 422):
        page.fill("#f-age_max", "10")
    page.wait_for_selector("#results .results-error")
    assert page.locator("#results .card").count() == 0 and not page.locator("#pager").is_visible()
