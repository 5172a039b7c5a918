"""Write the demo archive: a fictional hospital export plus its ground truth.

Layout (see SPEC-CONTRACTS.md)::

    OUT/export/DICOM/<PatientID>/<AccessionNumber>/IM<n>.dcm   (+ stray files, one corrupt .dcm)
    OUT/export/reports.csv      accession_number,report_date,text
    OUT/labels.csv              one row per image (never read by ingest)
    OUT/phi.json                every identifying string injected, overall and per study,
                                and the identity lines stamped into pixels (pixel_text_by_study)

About 2 % of studies carry a stamped identity declared by ``BurnedInAnnotation=YES``; about
1.5 % more carry one the header does not declare (``NO`` or absent), which only an OCR
screen catches. Some images also carry harmless "D"/"G"/"DEBOUT" markers that must survive.

Everything derives from ``seed``: the same seed gives byte-identical CSV files and
identical pixel data. Studies are rendered in worker processes when more than one CPU
is available; each study depends only on its own plan, so the result does not depend
on the number of workers.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import random
import shutil
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from bonesearch.demo.dicom_writer import ImageHeader, build_dataset, quantize, write_dicom
from bonesearch.demo.phantom_core import PhantomParams, stamp, text_mask
from bonesearch.demo.phantoms import render_phantom
from bonesearch.demo.phrases_fr import STUDY_DESC, VIEW_FR
from bonesearch.demo.plan import DICOM_PART, StudyPlan, plan_archive
from bonesearch.demo.reports_fr import Report, ReportInput, fmt_date, write_report

LABEL_COLUMNS = ["sop_instance_uid", "study_instance_uid", "accession_number", "patient_id",
                 "body_part", "laterality", "view", "finding", "finding_site", "kl_grade",
                 "bone_age_months", "age_months", "sex", "modality", "burned_in", "pixel_phi", "pixel_marker"]
# burned_in: the header says BurnedInAnnotation=YES; pixel_phi: name, IPP and dates are stamped
# in the pixels (declared or not); pixel_marker: harmless text drawn in the pixels ("D", "G", "DEBOUT")
REPORT_COLUMNS = ["accession_number", "report_date", "text"]
README_TEXT = """EXPORT PACS - ARCHIVE RADIOLOGIE OSTEO-ARTICULAIRE
Ce dossier contient les images DICOM classées par identifiant patient puis par numéro d'examen,
et le fichier reports.csv des comptes rendus. Ne pas modifier l'arborescence.
Format : DICOM Part 10. Certaines images sont compressées (RLE, JPEG-LS, JPEG 2000 sans perte).
"""


@dataclass
class DemoArchiveSummary:
    """What :func:`write_demo_archive` wrote."""

    out: Path
    studies: int
    images: int
    patients: int
    reports: int
    burned_in_images: int
    junk_files: int
    seconds: float
    undeclared_stamp_images: int = 0  # identity stamped in the pixels, header says NO or nothing


def study_dir(out: Path, st: StudyPlan) -> Path:
    """Folder of a study's DICOM files."""
    return out / "export" / "DICOM" / st.patient.ipp / st.accession


def phantom_params(st: StudyPlan, view: str, long_side: int, seed: int) -> PhantomParams:
    """The phantom parameters of one image of ``st``."""
    age = st.age_months / 12.0
    ba = st.bone_age_months
    return PhantomParams(
        body_part=st.body_part, view=view, side=st.side, finding=st.finding, site=st.site,
        kl_grade=st.severity, age_years=age, skeletal_age_years=(ba / 12.0 if ba else None),
        hardware=st.hardware, affected_side=st.affected_side, long_side=long_side, seed=seed,
        variant=st.variant)


def _header(st: StudyPlan, n: int) -> ImageHeader:
    img = st.images[n - 1]
    pt, h = st.patient, st.hospital
    side_txt = {"R": " DROIT", "L": " GAUCHE", "": ""}[st.side]
    if st.body_part in ("hand", "shoulder", "hip", "ankle", "leg") and st.side:
        side_txt += "E"
    views = "+".join("F" if i.view in ("AP", "PA") else ("P" if i.view == "LAT" else "3/4") for i in st.images)
    return ImageHeader(
        patient_name=pt.dicom_name, patient_id=pt.ipp, birth_date=pt.birth.strftime("%Y%m%d"),
        sex=pt.sex, age=f"{st.age_months // 12:03d}Y", private_name=f"{pt.family} {pt.given.upper()}",
        institution=h.name, institution_address=h.address, referring=st.referrer.dicom_name,
        performing=st.radiologist.dicom_name, operator=st.operator.dicom_name,
        accession=st.accession, study_uid=st.study_uid, series_uid=img.series_uid, sop_uid=img.sop_uid,
        study_date=st.exam_date, study_time=st.study_time,
        study_description=f"RX {STUDY_DESC[st.body_part]}{side_txt} {views}".strip()
        + (" AGE OSSEUX" if st.finding == "bone_age" else ""),
        series_description=f"{STUDY_DESC[st.body_part]} {VIEW_FR[img.view][0].upper()}",
        series_number=n, instance_number=1, body_part=DICOM_PART[st.body_part], laterality=st.side,
        view=img.view, modality=st.modality, manufacturer=h.manufacturer[0], model=h.manufacturer[1],
        station=f"RX{(st.index % 3) + 1:02d}", pixel_spacing=0.1 + (img.seed % 9) * 0.01,
        burned_in=None if st.burned_in_omitted else st.burned_in)


def header_phi(st: StudyPlan) -> list[str]:
    """Identifying strings the DICOM headers of ``st`` carry."""
    pt, h = st.patient, st.hospital
    out = [pt.family, pt.given, pt.dicom_name, f"{pt.family} {pt.given.upper()}", pt.ipp,
           pt.birth.strftime("%Y%m%d"), h.name, h.address, h.town, h.street, st.accession]
    for person in (st.referrer, st.radiologist, st.operator):
        out += [person.family, person.given, person.dicom_name]
    return out


def stamp_lines(st: StudyPlan) -> list[str]:
    """The identity block a CR reader stamps into the pixels: name, IPP and birth date, exam date.

    Accents are dropped, as plate readers do (and as the bitmap font needs).
    """
    pt = st.patient
    name = unicodedata.normalize("NFKD", f"{pt.family} {pt.given.upper()}").encode("ascii", "ignore").decode()
    return [name, f"IPP {pt.ipp} NE LE {fmt_date(pt.birth, 0)}",
            f"{fmt_date(st.exam_date, 0)} {st.study_time[:2]}:{st.study_time[2:4]}"]


def stamp_dates(st: StudyPlan) -> list[str]:
    """The dates of :func:`stamp_lines`, as written there."""
    return [fmt_date(st.patient.birth, 0), fmt_date(st.exam_date, 0)]


def _stamp_identity(pix: np.ndarray, st: StudyPlan) -> None:
    """Stamp :func:`stamp_lines` into a corner (bottom-left when the header declares it)."""
    h, w = pix.shape
    size = max(int(0.03 * max(h, w)), 11)
    masks = [text_mask(s, size) for s in stamp_lines(st)]
    widest = max(m.shape[1] for m in masks)
    if widest > 0.9 * w:  # narrow image: shrink the font so every line fits
        size = max(int(size * 0.9 * w / widest), 9)
        masks = [text_mask(s, size) for s in stamp_lines(st)]
    corner = "bl" if st.burned_in else random.Random(f"stamp-{st.accession}").choice(["bl", "br", "tl", "tr"])
    step, block = int(size * 1.5), int(size * 1.5) * len(masks)
    top0 = int(0.12 * h) if corner[0] == "t" else h - int(0.04 * h) - block  # below the lead marker
    for k, m in enumerate(masks):
        left = int(0.04 * w) if corner[1] == "l" else w - int(0.04 * w) - m.shape[1]
        stamp(pix, m, top0 + k * step, left, 0.98, mode="over")


def _stamp_marker(pix: np.ndarray, marker: str, seed: int) -> None:
    """Draw a harmless text marker ("D", "G", "DEBOUT") at mid-height near a side edge."""
    h, w = pix.shape
    m = text_mask(marker, max(int(0.05 * max(h, w)), 10))
    left = int(0.03 * w) if seed % 2 else w - int(0.03 * w) - m.shape[1]
    stamp(pix, m, int(0.45 * h), left, 0.97, mode="over")


def render_study(st: StudyPlan, out: Path) -> list[dict[str, str]]:
    """Render and write every image of ``st``; return its labels.csv rows."""
    rows = []
    for img in st.images:
        ph = render_phantom(phantom_params(st, img.view, img.long_side, img.seed))
        pix = ph.image
        if img.marker:
            _stamp_marker(pix, img.marker, img.seed)
        if st.pixel_phi:
            _stamp_identity(pix, st)
        stored = quantize(pix, img.fmt)
        ds = build_dataset(_header(st, img.number), stored, img.fmt)
        write_dicom(study_dir(out, st) / f"IM{img.number}.dcm", ds, img.fmt.syntax)
        knee = st.body_part == "knee"
        rows.append({
            "sop_instance_uid": img.sop_uid, "study_instance_uid": st.study_uid,
            "accession_number": st.accession, "patient_id": st.patient.ipp,
            "body_part": st.body_part, "laterality": st.side, "view": img.view,
            "finding": st.finding, "finding_site": st.site,
            "kl_grade": (str(st.severity if st.finding == "osteoarthritis" else 0) if knee else ""),
            "bone_age_months": "" if st.bone_age_months is None else str(st.bone_age_months),
            "age_months": str(st.age_months), "sex": st.patient.sex, "modality": st.modality,
            "burned_in": "1" if st.burned_in else "0", "pixel_phi": "1" if st.pixel_phi else "0",
            "pixel_marker": img.marker})
    return rows


def _render_chunk(args: tuple[list[StudyPlan], str]) -> list[tuple[int, list[dict[str, str]]]]:
    chunk, out = args
    return [(st.index, render_study(st, Path(out))) for st in chunk]


def _csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _junk(out: Path, studies: list[StudyPlan], seed: int) -> int:
    """Stray files an export really contains: a readme, a Thumbs.db, a truncated .dcm."""
    dicom = out / "export" / "DICOM"
    (dicom / "LISEZMOI.txt").write_text(README_TEXT, encoding="utf-8")
    if not studies:
        return 1
    rng = np.random.default_rng([seed, 99])
    thumbs = study_dir(out, studies[0]) / "Thumbs.db"
    thumbs.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.integers(0, 256, 3000, dtype=np.uint8).tobytes())
    last = studies[-1]
    good = (study_dir(out, last) / "IM1.dcm").read_bytes()
    (study_dir(out, last) / f"IM{len(last.images) + 1}.dcm").write_bytes(good[: int(len(good) * 0.4)])
    return 3


def report_input(st: StudyPlan) -> ReportInput:
    """What the report writer needs to know of a planned study."""
    return ReportInput(
        patient=st.patient, hospital=st.hospital, radiologist=st.radiologist, referrer=st.referrer,
        accession=st.accession, exam_date=st.exam_date, report_date=st.report_date,
        body_part=st.body_part, side=st.side, views=[i.view for i in st.images], finding=st.finding,
        site=st.site, kl_grade=st.severity, hardware=st.hardware, affected_side=st.affected_side,
        age_months=st.age_months, bone_age_months=st.bone_age_months, prior_date=st.prior_date,
        level=st.level, fused_levels=st.fused_levels, n_carpals=st.n_carpals)


def study_report(st: StudyPlan, seed: int) -> Report:
    """The French report of a planned study, as the demo archive writes it (the same for a seed)."""
    return write_report(report_input(st), random.Random(f"report-{seed}-{st.accession}"))


def write_demo_archive(out: Path, studies: int = 600, seed: int = 0,
                       progress: Callable[[int, int], None] | None = None,
                       workers: int | None = None) -> DemoArchiveSummary:
    """Generate a demo archive of ``studies`` studies into ``out`` (deterministic per ``seed``).

    ``progress(done, total)`` is called once per finished study (in worker mode, in
    bursts as each batch of studies comes back). ``workers`` defaults
    to the number of CPUs (at most 4); results are identical for any worker count.
    An existing ``out/export`` is replaced.
    """
    t0 = time.perf_counter()
    out = Path(out)
    if (out / "export").exists():
        shutil.rmtree(out / "export")
    (out / "export" / "DICOM").mkdir(parents=True, exist_ok=True)
    plans = plan_archive(int(studies), int(seed))
    reports, phi_by_study, dates_by_study = [], {}, {}
    pixel_text: dict[str, list[str]] = {}  # identity stamped into the pixels, per study
    for st in plans:
        rep = study_report(st, seed)
        reports.append({"accession_number": st.accession, "report_date": st.report_date.isoformat(),
                        "text": rep.text})
        phi_by_study[st.accession] = sorted(set(header_phi(st)) | set(rep.phi))
        dates = set(rep.dates) | {st.exam_date.strftime("%Y%m%d")}
        if st.pixel_phi:
            dates.update(stamp_dates(st))
            pixel_text[st.accession] = stamp_lines(st)
        dates_by_study[st.accession] = sorted(dates)
    n_workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    rows_by_index: dict[int, list[dict[str, str]]] = {}
    if n_workers > 1 and len(plans) > 4:
        size = max(1, min(8, len(plans) // (n_workers * 4)))
        chunks = [plans[i:i + size] for i in range(0, len(plans), size)]
        # forkserver: safe even when the caller has started threads (torch, BLAS pools)
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx) as ex:
            futures = [ex.submit(_render_chunk, (c, str(out))) for c in chunks]
            for fut in as_completed(futures):
                for idx, rows in fut.result():
                    rows_by_index[idx] = rows
                    if progress:
                        progress(len(rows_by_index), len(plans))
    else:
        for st in plans:
            rows_by_index[st.index] = render_study(st, out)
            if progress:
                progress(len(rows_by_index), len(plans))
    labels = [r for i in sorted(rows_by_index) for r in rows_by_index[i]]
    (out / "export" / "reports.csv").write_text(_csv_text(REPORT_COLUMNS, reports), encoding="utf-8")
    (out / "labels.csv").write_text(_csv_text(LABEL_COLUMNS, labels), encoding="utf-8")
    strings = sorted({s for v in phi_by_study.values() for s in v})
    (out / "phi.json").write_text(json.dumps(
        {"strings": strings, "by_study": phi_by_study, "dates_by_study": dates_by_study,
         "pixel_text_by_study": pixel_text},
        ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    junk = _junk(out, plans, seed)
    return DemoArchiveSummary(out, len(plans), len(labels), len({s.patient.ipp for s in plans}),
                              len(reports), sum(1 for r in labels if r["burned_in"] == "1"), junk,
                              time.perf_counter() - t0,
                              sum(1 for r in labels if r["pixel_phi"] == "1" and r["burned_in"] != "1"))
