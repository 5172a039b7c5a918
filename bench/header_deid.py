"""DICOM header de-identification speed (one core), and PS3.15 table coverage of the candidates.

Usage: python bench/header_deid.py [--reps 300] [--compare] [--coverage]
  --compare   also time dicognito's default Anonymizer and deid's default recipe (``pip install deid``)
  --coverage  score each engine on every attribute of the PS3.15 Table E.1-1 as shipped by
              dicom-anonymizer (``pip install --no-deps dicom-anonymizer``; used here only as a yardstick)
Anchor: ingest must do ≥ 100 uncompressed files/s per core, 10 ms a file; the header step is
allowed 2 ms of it, i.e. 500 headers/s per core.
"""

from __future__ import annotations

import argparse
import copy
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset

from bonesearch.deid.dicom_profile import HeaderDeidentifier
from bonesearch.deid.headers import extract_metadata
from bonesearch.deid.key import PseudonymKey

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dicom"
ANCHOR_HEADERS_PER_S = 500.0  # 2 ms of the 10 ms per-file budget of 100 files/s/core
KEY = PseudonymKey.for_demo(0)


def _headers(files: list[Path]) -> list[bytes]:
    """Each file's bytes up to its pixel data (what a header-only read parses)."""
    out = []
    for f in files:
        try:
            ds = pydicom.dcmread(f, stop_before_pixels=True)
        except Exception:
            continue
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append(buf.getvalue())
    return out


def _rate(blobs: list[bytes], reps: int, work: Callable[[Dataset], None]) -> float:
    """Headers/s of ``work`` on freshly parsed (lazy) datasets; parsing is not timed."""
    total, n = 0.0, 0
    for _ in range(max(1, reps // len(blobs))):
        batch = [pydicom.dcmread(io.BytesIO(b)) for b in blobs]
        start = time.perf_counter()
        for ds in batch:
            work(ds)
        total += time.perf_counter() - start
        n += len(batch)
    return n / total


def _ours() -> Callable[[Dataset], None]:
    deid = HeaderDeidentifier(KEY)
    return lambda ds: deid.deidentify(ds, extract_metadata(ds, KEY))


def _dicognito_default() -> Callable[[Dataset], None]:
    from dicognito.anonymizer import Anonymizer

    anonymizer = Anonymizer(seed="bench")
    return anonymizer.anonymize


def _deid_default() -> Callable[[Dataset], None]:
    import logging

    from deid.config import DeidRecipe
    from deid.dicom import replace_identifiers

    logging.getLogger("deid").setLevel(logging.CRITICAL)
    recipe = DeidRecipe()

    def run(ds: Dataset) -> None:
        for tag in [t for t in ds.keys() if t.group in (0, 2)]:  # command set and meta elements: not in a body
            del ds[tag]
        buf = io.BytesIO()
        ds.save_as(buf, implicit_vr=False, little_endian=True)
        buf.seek(0)
        out = replace_identifiers(dicom_files=[pydicom.dcmread(buf, force=True)], deid=recipe, save=False, remove_private=True)[0]
        ds.clear()
        ds.update(out)

    return run


def _demo_files(tmp: Path) -> list[Path]:
    from bonesearch.demo.archive import write_demo_archive

    write_demo_archive(tmp, studies=20, seed=1, workers=1)
    return sorted((tmp / "export" / "DICOM").rglob("IM*.dcm"))


# ---- PS3.15 Table E.1-1 coverage -----------------------------------------------------
CANARY = "CANARY"
KEPT_BY_OPTIONS = {  # attributes our claimed options (113107, 113108) allow to keep
    "PatientSex", "PatientAge", "PatientWeight", "PatientSize", "TimezoneOffsetFromUTC",
}


def _dummy(vr: str, n: int) -> object | None:
    """A value of ``vr`` that is recognisable after processing."""
    vr = vr.split(" or ")[0]
    text = {"AE": f"{CANARY}{n}", "AS": "045Y", "CS": f"{CANARY}{n}", "DA": "20200115", "DT": "20200115101010",
            "TM": "101010", "UI": f"1.2.999.{n}", "PN": f"{CANARY}^{n}", "DS": "1.5", "IS": "12"}
    if vr in text:
        return text[vr]
    if vr in ("LO", "SH", "LT", "ST", "UT", "UC", "UR"):
        return f"{CANARY}{n}"
    if vr in ("US", "SS", "UL", "SL", "FL", "FD", "UV", "SV"):
        return 7
    if vr in ("OB", "OW", "OF", "OD", "OL", "OV", "UN"):
        return b"CANARY" + str(n).encode().rjust(4, b"0")
    return None


def _table_dataset() -> tuple[Dataset, dict[int, object]]:
    from dicomanonymizer.dicomfields_selector import dicom_anonymization_database_selector
    from pydicom.datadict import dictionary_VR

    table = dicom_anonymization_database_selector("dicomfields_2026c")
    # (group, element) pairs; the few masked entries (overlay/curve groups) are tried at 6000/5000
    tags = sorted({(t[0] << 16) | t[1] for items in table.values() for t in items})
    ds = Dataset()
    originals = {}
    for n, tag in enumerate(tags):
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            continue
        if vr == "SQ":
            item = Dataset()
            item.CodeValue, item.CodeMeaning = f"{CANARY}{n}", f"{CANARY} text {n}"
            ds.add_new(tag, "SQ", [item])
            originals[tag] = f"{CANARY}{n}"
            continue
        value = _dummy(vr, n)
        if value is None:
            continue
        ds.add_new(tag, vr.split(" or ")[0], value)
        originals[tag] = value
    ds.PatientID, ds.StudyInstanceUID, ds.SOPInstanceUID = "P1", "1.2.999.1", "1.2.999.2"
    ds.file_meta = FileMetaDataset()
    return ds, originals


def _kept(ds: Dataset, tag: int, original: object) -> bool:
    """Whether the original value survived processing in ``ds``."""
    if tag not in ds:
        return False
    elem = ds[tag]
    if elem.VR == "SQ":
        return any(str(original) in str(e.value) for item in elem.value for e in item.iterall())
    return str(elem.value) == str(original) and str(original) != ""


def coverage(engines: dict[str, Callable[[Dataset], None]]) -> None:
    """Print, per engine, how many table attributes keep their original value."""
    from pydicom.datadict import keyword_for_tag

    source, originals = _table_dataset()
    for name, work in engines.items():
        ds = copy.deepcopy(source)
        try:
            work(ds)
        except Exception as exc:
            print(f"coverage {name}: failed ({type(exc).__name__}: {exc})")
            continue
        kept = [t for t, v in originals.items() if _kept(ds, t, v)]
        optional = [t for t in kept if keyword_for_tag(t) in KEPT_BY_OPTIONS or ds[t].VR == "TM"]
        leaks = [t for t in kept if t not in optional]
        print(f"coverage {name}: {len(originals) - len(kept)}/{len(originals)} table attributes removed or replaced, "
              f"{len(optional)} kept under the options (times, sex, age, size, weight), {len(leaks)} left as they were"
              + (f": {', '.join(keyword_for_tag(t) or hex(t) for t in leaks[:12])}" + (" …" if len(leaks) > 12 else "")
                 if leaks else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--coverage", action="store_true")
    args = parser.parse_args()
    engines = {"bonesearch (dicognito, configured)": _ours}
    if args.compare or args.coverage:
        engines |= {"dicognito default": _dicognito_default, "deid default recipe": _deid_default}
    with tempfile.TemporaryDirectory() as tmp:
        sets = {"real CR": _headers(sorted(DATA.glob("*.dcm"))) if DATA.is_dir() else [],
                "demo DX/CR": _headers(_demo_files(Path(tmp)))}
        for set_name, blobs in sets.items():
            if not blobs:
                print(f"header_deid {set_name}: no files (../shared/data/dicom absent)")
                continue
            for engine, make in engines.items():
                if engine != "bonesearch (dicognito, configured)" and not args.compare:
                    continue
                try:
                    rate = _rate(blobs, args.reps if engine.startswith("bonesearch") else args.reps // 5, make())
                except ImportError as exc:
                    print(f"header_deid {engine}: not installed ({exc.name})")
                    continue
                prefix = "header_deid" if engine.startswith("bonesearch") else f"header_deid[{engine}]"
                print(f"{prefix} {set_name}: {rate:.0f} headers/s per core ({1e3 / rate:.2f} ms; "
                      f"ratio to the {ANCHOR_HEADERS_PER_S:.0f}/s share of the 100 files/s/core target: "
                      f"{rate / ANCHOR_HEADERS_PER_S:.2f})")
    if args.coverage:
        try:
            coverage({name: make() for name, make in engines.items()})
        except ImportError as exc:
            print(f"coverage: needs {exc.name} (pip install --no-deps dicom-anonymizer)")


if __name__ == "__main__":
    main()
