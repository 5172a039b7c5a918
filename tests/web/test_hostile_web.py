"""Hostile input to the web API and to ``bonesearch similar`` / ``query`` (issue 14, items 6, 9,
10 and 12): decompression bombs and broken DICOM display values are 4xx (never a 500 or a
traceback), uploads are decoded at the size the model needs and capped in pixels, other
origins cannot drive the server, 422s never echo what was sent, and stored control
characters never reach a terminal raw.

Every hostile file is built here, on the fly: nothing binary is committed."""

from __future__ import annotations

import io
import json
import logging
import re
import struct
import tracemalloc
import zlib
from pathlib import Path

import duckdb
import numpy as np
import pytest
from PIL import Image

fastapi = pytest.importorskip("fastapi", reason="the web extra: pip install -e '.[test]' (fastapi, uvicorn)")
from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from bonesearch.errors import InvalidQueryImage  # noqa: E402
from bonesearch.imaging.query_image import load_query_image  # noqa: E402
from bonesearch.store import DB_NAME, Store  # noqa: E402
from bonesearch.web import create_app  # noqa: E402
from cli import app  # noqa: E402
from tests.web_store import writable_copy  # noqa: E402

LOCAL = "http://127.0.0.1"
TOKEN = "s3cret-token-for-tests-0123456789"
ESCAPES = ("\x1b", "\x07", "\x9b", "\u202e")  # ESC (CSI, OSC), BEL, 8-bit CSI, right-to-left override
HOSTILE_TEXT = "Fracture\x1b[2J\x1b]0;piégé\x07 du radius \x9b31m distal \u202edroite"
runner = CliRunner()


# ------------------------------------------------------------------ hostile files
def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _zeros_deflated(n: int, step: int = 1 << 20) -> bytes:
    """``n`` zero bytes, deflated (about 1000:1), without holding them in memory."""
    deflate = zlib.compressobj(9)
    out = [deflate.compress(bytes(min(step, n - at))) for at in range(0, n, step)]
    return b"".join(out) + deflate.flush()


def png_bytes(width: int = 64, height: int = 64, before_idat: bytes = b"", after_idat: bytes = b"") -> bytes:
    """A greyscale 8-bit PNG of zeros, with extra chunks around its IDAT."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    idat = _chunk(b"IDAT", _zeros_deflated((width + 1) * height))
    return b"\x89PNG\r\n\x1a\n" + header + before_idat + idat + after_idat + _chunk(b"IEND", b"")


def png_bombs() -> dict[str, bytes]:
    """PNGs whose metadata chunks inflate to 64 MiB from 64 KB."""
    bomb = _zeros_deflated(64 << 20)
    return {
        "zTXt": png_bytes(before_idat=_chunk(b"zTXt", b"Comment\0\0" + bomb)),
        "zTXt after IDAT": png_bytes(after_idat=_chunk(b"zTXt", b"Comment\0\0" + bomb)),
        "iCCP": png_bytes(before_idat=_chunk(b"iCCP", b"icc\0\0" + bomb)),
    }


def dicom_bytes(rows: int = 64, cols: int = 64, syntax: str = "explicit", pixel_data: bytes | None = None,
                bits: int = 12, **attrs) -> bytes:
    """A DX DICOM file (Part 10) with a ramp, or ``pixel_data`` as given (encapsulated for compressed syntaxes)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.encaps import encapsulate
    from pydicom.uid import ExplicitVRLittleEndian, JPEG2000Lossless, RLELossless, generate_uid

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = {"explicit": ExplicitVRLittleEndian, "j2k": JPEG2000Lossless,
                                      "rle": RLELossless}[syntax]
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()
    ds.Modality, ds.Rows, ds.Columns = "DX", rows, cols
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated = 8 if bits <= 8 else 16
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits - 1, 0
    if syntax == "explicit":
        ds.PixelData = pixel_data if pixel_data is not None else (np.arange(rows * cols, dtype="<u2") % 4096).tobytes()
    else:
        ds.PixelData = encapsulate([pixel_data])
        ds["PixelData"].VR = "OB"
    for name, value in attrs.items():
        setattr(ds, name, value)
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def short_voi_lut_dicom() -> bytes:
    """A VOI LUT whose descriptor promises 4096 entries and whose data hold 3."""
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    item = Dataset()
    item.LUTDescriptor = [4096, 0, 16]
    item.LUTData = np.array([0, 100, 200], "<u2").tobytes()
    return dicom_bytes(VOILUTSequence=Sequence([item]))


def j2k_dicom(side: int, resolutions: int = 6, header_side: int | None = None) -> bytes:
    """A ``side``² 8-bit JPEG 2000 lossless DICOM of a grey square on black (a few KB), its
    header saying ``header_side``² (default: the truth)."""
    picture = Image.new("L", (side, side), 0)
    picture.paste(200, (side // 4, side // 4, side // 2, side // 2))
    stream = io.BytesIO()
    picture.save(stream, format="JPEG2000", no_jp2=True, irreversible=False, num_resolutions=resolutions)
    header_side = header_side or side
    return dicom_bytes(header_side, header_side, "j2k", stream.getvalue(), bits=8)


def deflated_dicom(inflated_mb: int) -> bytes:
    """A Deflated Explicit VR DICOM whose dataset inflates to ``inflated_mb`` MB (a private element of zeros)."""
    from pydicom import dcmread
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    ds = dcmread(io.BytesIO(dicom_bytes()))
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.add_new(0x00091010, "OB", bytes(inflated_mb << 20))
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def hostile_uploads() -> dict[str, bytes]:
    """Every file that used to give a 500 (and `bonesearch similar` a traceback)."""
    return {**{f"PNG {name} bomb": data for name, data in png_bombs().items()},
            "DICOM WindowWidth -1": dicom_bytes(WindowCenter=100, WindowWidth=-1),
            "DICOM WindowWidth 0": dicom_bytes(WindowCenter=100, WindowWidth=0),
            "DICOM short VOI LUT": short_voi_lut_dicom()}


def _peak_mb(fn) -> float:
    """Peak traced (Python + NumPy) allocation of ``fn()``, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def client(web_store) -> TestClient:
    return TestClient(create_app(web_store), base_url=LOCAL)


@pytest.fixture(scope="module")
def hostile_store(web_store, tmp_path_factory) -> Path:
    """The demo store with control characters and escape sequences in its reports and headers."""
    store = writable_copy(web_store, tmp_path_factory.mktemp("hostile") / "store")
    with Store.open(store, read_only=False) as s:
        s.con.execute("UPDATE sealed_reports SET conclusion = bonesearch_seal(report_id, ?), "
                      "text = bonesearch_seal(report_id, ? || chr(10) || bonesearch_unseal(report_id, text))",
                      [HOSTILE_TEXT, HOSTILE_TEXT])
        s.con.execute("UPDATE images SET view = ?", ["\x1b[31m[bold]AP"])
    return store


# ------------------------------------------------------------------ item 9: 4xx, never a 500
PNG_BOMBS = ["PNG zTXt bomb", "PNG zTXt after IDAT bomb", "PNG iCCP bomb"]
DECODE_FAILURES = [ValueError("The (0028,1051) Window Width must be greater than or equal to 1"),
                   struct.error("unpack_from requires a buffer of at least 8192 bytes"), IndexError("index 4095"),
                   MemoryError(), OSError("broken data stream"), Image.DecompressionBombError("bomb")]


@pytest.mark.parametrize("name", list(hostile_uploads()))
def test_hostile_upload_is_never_a_500(client, name, caplog):
    """Bombs are 415; broken DICOM display values are a 415 or, when the decoder falls back
    on a sane display, a normal answer — never a 500, never a traceback in the log."""
    data = hostile_uploads()[name]
    with caplog.at_level(logging.INFO):
        response = client.post("/api/search/image", content=data)
    assert response.status_code in ((415,) if name in PNG_BOMBS else (200, 415)), (name, response.text)
    if response.status_code == 415:
        assert response.json()["detail"].startswith("le fichier envoyé n'est pas une image lisible : PNG, JPEG ou DICOM")
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize("name", list(hostile_uploads()))
def test_hostile_query_image_is_a_square_or_a_clear_error(name):
    try:
        image = load_query_image(hostile_uploads()[name], "upload")
    except InvalidQueryImage as exc:
        assert str(exc).startswith("upload:") and "PNG, JPEG or DICOM" in str(exc)
    else:
        assert name not in PNG_BOMBS and image.shape == (256, 256) and image.dtype == np.uint8


@pytest.mark.parametrize("failure", DECODE_FAILURES, ids=lambda e: type(e).__name__)
def test_any_decode_failure_is_415_and_a_cli_error(client, web_store, tmp_path, monkeypatch, failure, caplog):
    """Whatever the DICOM decoder or Pillow raises on a hostile file, the upload is a 415 and
    `bonesearch similar` prints one line (robust to what bonesearch.imaging.dicom raises)."""
    import bonesearch.imaging.dicom

    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(bonesearch.imaging.dicom, "decode_greyscale", broken)
    monkeypatch.setattr(Image.Image, "convert", broken)
    for data in (dicom_bytes(), png_bytes()):
        with caplog.at_level(logging.INFO):
            response = client.post("/api/search/image", content=data)
        assert response.status_code in (413, 415), response.text
        assert not any(r.exc_info for r in caplog.records)
    path = tmp_path / "query.dcm"
    path.write_bytes(dicom_bytes())
    result = runner.invoke(app, ["similar", str(path), "--store", str(web_store)])
    assert result.exit_code == 2 and result.output.startswith("error: query.dcm"), result.output


@pytest.mark.parametrize("name", ["PNG zTXt bomb", "PNG iCCP bomb", "DICOM WindowWidth -1", "DICOM short VOI LUT"])
def test_cli_similar_on_a_hostile_file_is_one_line(web_store, tmp_path, name):
    path = tmp_path / ("query.dcm" if name.startswith("DICOM") else "query.png")
    path.write_bytes(hostile_uploads()[name])
    result = runner.invoke(app, ["similar", str(path), "--store", str(web_store)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert result.exit_code in ((2,) if name in PNG_BOMBS else (0, 2)), result.output
    if result.exit_code == 2:
        assert result.output.startswith("error: query.") and "Traceback" not in result.output


def test_image_id_past_int64_is_4xx(client, web_store):
    for image_id in (2**63, 2**64 + 5, 10**30):
        response = client.get(f"/api/images/{image_id}/thumbnail")
        assert 400 <= response.status_code < 500 and "image_id" in response.json()["detail"]
        assert str(image_id) not in response.text
    result = runner.invoke(app, ["similar", "--image-id", str(2**63), "--store", str(web_store)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_an_unexpected_error_is_a_french_500_without_traceback_or_data(web_store, caplog):
    class Broken:
        counts, facets, study_similarity = {}, None, False

        def use(self):
            raise RuntimeError("Jean Dupont 1950-02-01")

    api = TestClient(create_app(web_store, live=Broken()), base_url=LOCAL)
    with caplog.at_level(logging.INFO):
        response = api.post("/api/search", json={"query": "fracture"})
    assert response.status_code == 500 and "erreur interne" in response.json()["detail"]
    assert "Dupont" not in response.text and "Dupont" not in caplog.text
    assert "RuntimeError" in caplog.text and not any(r.exc_info for r in caplog.records)


# ------------------------------------------------------------------ item 10: decode at the model's size, cap pixels
def test_a_large_jpeg2000_dicom_is_decoded_at_a_reduced_level():
    data = j2k_dicom(4096)  # a few hundred bytes; 16 M pixels in full
    assert len(data) < 20_000
    image = None

    def run():
        nonlocal image
        image = load_query_image(data, "j2k")

    assert _peak_mb(run) < 20  # full decode: ~200 MB of NumPy (stored values + display floats)
    assert image.shape == (256, 256)


def test_a_large_jpeg_is_decoded_with_draft():
    stream = io.BytesIO()
    Image.new("L", (4000, 4000), 128).save(stream, format="JPEG", quality=50)
    data = stream.getvalue()
    assert _peak_mb(lambda: load_query_image(data, "jpeg")) < 4  # full decode: 16 MB


def test_pixels_past_the_cap_are_413_before_decoding(client):
    from bonesearch.errors import QueryImageTooLarge
    from bonesearch.imaging.query_image import MAX_QUERY_PIXELS

    side = int(MAX_QUERY_PIXELS**0.5) + 100
    big_png = png_bytes(side, side)  # valid, ~60 KB, decodes to more than the cap
    response = client.post("/api/search/image", content=big_png)
    assert response.status_code == 413, response.text
    assert "pixels" in response.json()["detail"] and str(side) not in response.text
    huge_rle = dicom_bytes(side, side, "rle", b"\0" * 64, bits=8)  # compressed data never decoded
    assert client.post("/api/search/image", content=huge_rle).status_code == 413
    with pytest.raises(QueryImageTooLarge):
        load_query_image(big_png, "big")


def test_the_cap_counts_what_the_codec_would_really_decode(monkeypatch):
    import bonesearch.imaging.query_image as query_image
    from bonesearch.errors import QueryImageTooLarge

    monkeypatch.setattr(query_image, "MAX_QUERY_PIXELS", 1_000_000)
    assert load_query_image(j2k_dicom(2048), "reducible").shape == (256, 256)  # decoded at its 256² level
    with pytest.raises(QueryImageTooLarge):
        load_query_image(j2k_dicom(2048, resolutions=1), "no wavelet levels")  # can only be decoded in full
    with pytest.raises(QueryImageTooLarge):
        load_query_image(j2k_dicom(2048, header_side=64), "header lies")  # the codec follows its own stream


def test_a_deflated_dicom_is_refused_before_inflating(client):
    data = deflated_dicom(64)  # ~65 KB that pydicom would inflate to 64 MB in one go
    assert len(data) < 1_000_000

    def attempt():
        with pytest.raises(InvalidQueryImage, match="deflated"):
            load_query_image(data, "deflated")

    assert _peak_mb(attempt) < 20
    response = client.post("/api/search/image", content=data)
    assert response.status_code == 415 and "deflate" in response.json()["detail"]


def test_a_16_bit_png_keeps_its_contrast():
    ramp = (np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16)
    stream = io.BytesIO()
    Image.fromarray(ramp).save(stream, format="PNG")
    image = load_query_image(stream.getvalue(), "ramp16")
    assert image.std() > 40  # not all white (Pillow's I;16 → L clips at 255)


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:9999"},  # another port of the same machine is another origin
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "cross-site"},
])
def test_cross_origin_requests_are_403(client, headers):
    png = png_bytes()
    for method, path, kwargs in [("post", "/api/search", {"json": {"query": "fracture"}}),
                                 ("post", "/api/search/image", {"content": png, "headers": {"content-type": "text/plain"}}),
                                 ("get", "/api/info", {})]:
        response = getattr(client, method)(path, **{**kwargs, "headers": {**kwargs.get("headers", {}), **headers}})
        assert response.status_code == 403, (method, path, headers, response.text)
        assert "origine" in response.json()["detail"] and "evil" not in response.text


def test_same_origin_and_non_browser_clients_still_work(client, web_store):
    same = {"Origin": LOCAL, "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/search", json={"query": "fracture"}, headers=same).status_code == 200
    assert client.post("/api/search", json={"query": "fracture"}).status_code == 200  # curl: no Origin
    assert client.get("/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200  # a link to the page
    assert client.get("/api/info", headers={"Sec-Fetch-Site": "none"}).status_code == 200  # typed in the address bar
    tokened = TestClient(create_app(web_store, host="0.0.0.0", token=TOKEN), base_url="http://bonesearch.example:8000")
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert tokened.get("/api/info", headers=bearer).status_code == 200
    assert tokened.get("/api/info", headers={**bearer, "Origin": "http://bonesearch.example:8000"}).status_code == 200
    assert tokened.get("/api/info", headers={**bearer, "Origin": "http://evil.example:8000"}).status_code == 403


# ------------------------------------------------------------------ item 6 (web): 422s never echo
@pytest.mark.parametrize(("body", "field", "sent"), [
    ({"query": "fracture", "filters": {"date_from": "2021-05-04", "date_to": "2020-01-02"}}, "date_from", ["2021", "2020"]),
    ({"query": "fracture", "filters": {"age_min": 61, "age_max": 23}}, "age_min", ["61", "23"]),
    ({"query": "fracture", "filters": {"date_from": "1950-02-31"}}, "filters.date_from", ["1950"]),
    ({"query": "fracture", "filters": {"age_min": "Dupont"}}, "filters.age_min", ["Dupont"]),
    ({"query": "fracture", "filters": {"body_part": "Jean DUPONT"}}, "filters.body_part", ["DUPONT"]),
    ({"query": "fracture", "filters": {"Jean Dupont né le 01/02/1950": 1}}, "filters", ["Dupont", "1950"]),
    ({"query": "fracture", "page": 13, "per_page": 97}, "page", ["1261", "97"]),
    ({"query": "x" * 501}, "query", ["xxxx"]),
])
def test_422_names_the_field_and_never_echoes_the_values(client, body, field, sent, caplog):
    with caplog.at_level(logging.DEBUG):
        response = client.post("/api/search", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert field in detail and detail.startswith("paramètre invalide")
    # the log's own timestamps and request durations are not the values sent: compare the messages only
    logged = re.sub(r"\b\d+ ms\b", "", "\n".join(caplog.messages))
    for value in sent:
        assert value not in response.text and value not in logged


def test_422_on_image_search_parameters_never_echoes(client):
    response = client.post("/api/search/image?date_from=1950-02-31&age_max=Dupont", content=png_bytes())
    assert response.status_code == 422
    assert "date_from" in response.text and "age_max" in response.text
    assert "1950" not in response.text and "Dupont" not in response.text


# ------------------------------------------------------------------ item 12: no raw escapes
def _no_escapes(text: str) -> None:
    for char in ESCAPES:
        assert char not in text, repr(char)


def test_cli_query_table_neutralises_stored_escapes(hostile_store):
    fused = runner.invoke(app, ["query", "fracture du radius", "--store", str(hostile_store), "--k", "5"])
    assert fused.exit_code == 0, fused.output
    _no_escapes(fused.output)
    result = runner.invoke(app, ["query", "fracture du radius", "--store", str(hostile_store), "--k", "5",
                                 "--mode", "image"])  # the score column is narrower: the excerpt shows more
    assert result.exit_code == 0, result.output
    _no_escapes(result.output)
    assert "Fracture" in result.output and "[bold]AP" in result.output  # shown, as text, not as markup
    with duckdb.connect(str(hostile_store / DB_NAME), read_only=True) as con:
        image_id = con.execute("SELECT min(image_id) FROM images").fetchone()[0]
    similar = runner.invoke(app, ["similar", "--image-id", str(image_id), "--store", str(hostile_store), "--k", "3"])
    assert similar.exit_code == 0, similar.output
    _no_escapes(similar.output)


def test_cli_query_json_escapes_controls_and_keeps_the_text(hostile_store):
    result = runner.invoke(app, ["query", "fracture du radius", "--store", str(hostile_store), "--k", "3", "--json"])
    assert result.exit_code == 0, result.output
    _no_escapes(result.stdout)
    hits = json.loads(result.stdout)
    assert hits[0]["view"].startswith("\x1b") and "\x9b" in hits[0]["excerpt"]  # faithful once parsed


def test_cli_query_title_neutralises_the_query_itself(web_store):
    result = runner.invoke(app, ["query", "fracture\x1b]0;titre\x07", "--store", str(web_store), "--k", "1"])
    assert result.exit_code == 0, result.output
    _no_escapes(result.output)


def test_contact_sheet_and_api_carry_no_raw_controls(hostile_store, tmp_path):
    sheet = tmp_path / "sheet.html"
    result = runner.invoke(app, ["query", "fracture du radius", "--store", str(hostile_store), "--k", "3",
                                 "--html", str(sheet)])
    assert result.exit_code == 0, result.output
    _no_escapes(sheet.read_text(encoding="utf-8"))
    api = TestClient(create_app(hostile_store), base_url=LOCAL)
    page = api.post("/api/search", json={"query": "fracture du radius", "per_page": 3}).json()
    first = next(r for r in page["results"] if r["excerpt"])
    _no_escapes(json.dumps(page, ensure_ascii=False))
    assert first["marks"] and first["excerpt"][first["marks"][0][0]:first["marks"][0][1]].lower() == "fracture"
    study = api.get(f"/api/studies/{first['study_uid']}").json()
    _no_escapes(json.dumps(study, ensure_ascii=False))
    assert "\n" in study["reports"][0]["text"]  # line breaks of the full report are kept
