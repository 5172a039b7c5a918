"""The `bonesearch` command line: each command parses its options and calls one function.

The jobs live in the packages (``bonesearch``, ``indexer``, ``pretrain``) and in
``pipelines`` (the demo, jobs with a progress bar); ``console`` shows their results. The
packages are imported inside the commands, so that ``--help`` answers without loading torch.
"""

from __future__ import annotations

import enum
import functools
import os
import time
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.markup import escape

from bonesearch.errors import BonesearchError, ReportFileError
from bonesearch.safe_text import one_line
from bonesearch.store_paths import require_store
from console.options import settings_options
from console.streams import err, out
from indexer.engine import ENGINES
from pipelines.demo import DemoConfig
from pretrain.config import TrainConfig
from bonesearch.search.fusion import MODES

app = typer.Typer(
    help="bonesearch — French-language search engine for bone X-ray archives.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Choices typer lists in --help and checks (exit status 2 naming the valid values). The
# libraries check them again for Python callers; tests/test_cli.py keeps both lists equal
# where the library's own list is too costly to import here.
Engine = Literal[ENGINES]  # type: ignore[valid-type]
BurnedIn = Literal["exclude", "keep"]  # bonesearch.deid.burned_in.BurnedInPolicy.flagged
GroupBy = Literal["image", "study"]  # bonesearch.search.engine.GroupBy (importing it loads torch)
DeidMode = Literal["surrogate", "tag"]  # bonesearch.deid.render.Mode (importing it loads spaCy)
Task = Literal["kl-grade", "bone-age", "classification", "regression", "mura", "fracatlas", "grazpedwri"]
EncoderName = enum.Enum("EncoderName", {name: name for name in ("pixels", "random", "checkpoint")},
                        type=str)  # an Enum: typer takes no Literal in a repeated option
SearchMode = enum.Enum("SearchMode", {name: name for name in MODES},  # list options need an Enum
                        type=str)

StoreOpt = Annotated[Path, typer.Option("--store", "-s", help="Store folder (DuckDB + pixels + index).")]
KOpt = Annotated[int, typer.Option("--k", "-k", min=1, max=1000, help="Number of results.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto (CUDA when present), cpu, cuda, cuda:N.")]
EngineOpt = Annotated[Engine, typer.Option(
    "--engine", help="local (worker processes on this machine) or ray (Ray Data: a local cluster of --workers CPUs, "
    "or the cluster at --address).")]
AddressOpt = Annotated[Optional[str], typer.Option(
    "--address", help="With --engine ray: an existing Ray cluster (auto, HEAD:6379, ray://…); the archive and store "
    "must be on a filesystem every node mounts at the same path.")]
WhereOpt = Annotated[Optional[str], typer.Option(
    "--where", help="SQL condition over images ⋈ studies, e.g. \"body_part = 'WRIST' AND age_months < 216\" "
    "(columns: image_id, study_id, study_uid, patient_pseudo, study_date, modality, body_part, study_body_part, "
    "view, laterality, age_months, sex, manufacturer, rows, cols, pixel_spacing_mm…). Exact: k results whenever k "
    "images match.")]
GroupByOpt = Annotated[GroupBy, typer.Option(
    "--group-by", help="image, or study: the k best studies, each shown by its best image.")]
HtmlOpt = Annotated[Optional[Path], typer.Option(
    "--html", dir_okay=False, help="Also write a self-contained HTML contact sheet (thumbnails, scores, report "
    "excerpts) to this file.")]


def user_errors(fn):
    """Print user-caused errors as one red line (no traceback) and exit with status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BonesearchError as exc:
            err.print(f"[bold red]error:[/] {escape(one_line(str(exc)))}")
            raise typer.Exit(2) from None
        except Exception as exc:  # a report key error raised inside a DuckDB query arrives wrapped in DuckDB's
            from bonesearch.report_keys import key_error_in

            message = key_error_in(exc)
            if message is None:
                raise
            err.print(f"[bold red]error:[/] {escape(one_line(message))}")
            raise typer.Exit(2) from None

    return wrapper


# ---------------------------------------------------------------------------------- data
@app.command("demo-archive")
@user_errors
def demo_archive(
    out_dir: Annotated[Path, typer.Argument(
        help="Folder to write export/ (DICOM + reports.csv), labels.csv, phi.json.")],
    studies: Annotated[int, typer.Option(min=1, help="Number of studies.")] = 600,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same archive).")] = 0,
) -> None:
    """Write a realistic, fictional hospital export: the embedded default archive."""
    from bonesearch.demo.archive import write_demo_archive
    from bonesearch.progress import progress_bar
    from console.jobs import print_demo_archive_summary

    with progress_bar("demo archive", studies) as advance:
        summary = write_demo_archive(out_dir, studies=studies, seed=seed, progress=lambda done, total: advance(1))
    print_demo_archive_summary(summary, out_dir)


@app.command()
@user_errors
def ingest(
    archive: Annotated[Path, typer.Argument(
        exists=True, file_okay=False, help="Hospital export: a DICOM tree (any layout).")],
    store: StoreOpt,
    reports: Annotated[Optional[Path], typer.Option(
        help="Reports: a CSV or JSONL export (accession number and/or patient id, date, text), or a folder of "
        ".txt/.pdf reports; default ARCHIVE/reports.csv.")] = None,
    key: Annotated[Optional[Path], typer.Option(
        help="Pseudonymisation key file (default: STORE.key.json beside the store).")] = None,
    workers: Annotated[int, typer.Option(
        min=1, help="Decode processes (default: every core).")] = max(1, os.cpu_count() or 1),
    cache_size: Annotated[Optional[int], typer.Option(
        "--cache-size", min=32, max=2048, help="Side in pixels of the cached square images (default: the store's "
        "own, else 256; 512 for higher-resolution models). Fixed per store.")] = None,
    burned_in: Annotated[BurnedIn, typer.Option(
        help="Images whose header says BurnedInAnnotation=YES: exclude (and count) or keep.")] = "exclude",
    ocr: Annotated[bool, typer.Option(
        "--ocr/--no-ocr", help="Screen the other images' pixels for burned-in text with Tesseract.")] = True,
    text_redaction: Annotated[bool, typer.Option(
        "--text-redaction/--no-text-redaction", help="Black out what the learned text detector finds in the stored "
        "copy of every image (text the OCR screen did not read, laterality markers).")] = True,
    ocr_max_chars: Annotated[int, typer.Option(
        min=1, help="Exclude an image when OCR reads this many characters or more.")] = 35,
    ocr_screen_size: Annotated[int, typer.Option(
        min=256, max=4096, help="Long side (px) the OCR screen sees at least: 512 catches text ≥ ~1 % of the "
        "image; 1024 smaller text, at twice the cost.")] = 512,
    export_dicom: Annotated[Optional[Path], typer.Option(
        file_okay=False, help="Also write de-identified DICOM copies (PS3.15 Basic Profile, modified dates) into "
        "this folder.")] = None,
    date_window: Annotated[int, typer.Option(
        min=0, max=365, help="Reports without an accession number link to the patient's study within this many "
        "days.")] = 7,
    max_upsample: Annotated[float, typer.Option(
        min=0.0, max=0.5, help="Decode a smaller resolution level when it is within this fraction of the cache "
        "size, and upsample (JPEG 2000 1760 px into a 512 cache: the 440-px level, 4x faster than 880). 0: never "
        "upsample. The OCR screen never uses it.")] = 0.15,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
) -> None:
    """De-identify an export (DICOM + French reports) into a store. Resumable."""
    from bonesearch.deid.burned_in import BurnedInPolicy
    from console.jobs import print_ingest_summary
    from pipelines.jobs import ingest_with_progress_bar

    policy = BurnedInPolicy(flagged=burned_in, ocr=ocr, max_chars=ocr_max_chars, screen_size=ocr_screen_size,
                            detect_size=max(1024, ocr_screen_size), redact_text=text_redaction)
    if reports is not None and not reports.exists():
        raise ReportFileError(f"--reports {reports} does not exist; pass the reports CSV, JSONL or folder exported "
                              f"with the images")
    summary = ingest_with_progress_bar(archive, store, reports_path=reports, key_path=key, workers=workers,
                                       cache_size=cache_size, burned_in=policy, export_dicom=export_dicom,
                                       date_window_days=date_window, max_upsample=max_upsample, engine=engine,
                                       address=address)
    print_ingest_summary(summary, store)


@app.command("deid-text")
@user_errors
def deid_text(
    in_path: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, help='JSONL: {"id": ..., "text": ...} per line; optional "patient_id" '
        '(date shift) and "known": the DICOM header\'s values ({"patient": "NOM^PRENOM", "birth_date": '
        '"AAAA-MM-JJ", "ids": [...], "staff", "institution", "address"}).')],
    out_path: Annotated[Path, typer.Argument(help='JSONL with "spans" and "text_deid" added.')],
    key: Annotated[Optional[Path], typer.Option(
        help="Key file for date shifts (default: a fresh random key, not saved).")] = None,
    mode: Annotated[DeidMode, typer.Option(
        help='"surrogate": realistic names, shifted dates; "tag": <PATIENT>, <DATE>…')] = "surrogate",
) -> None:
    """De-identify French report text from a JSONL file and report the detected PHI spans."""
    from bonesearch.deid.jsonl import deidentify_jsonl
    from bonesearch.deid.key import PseudonymKey

    pseudo_key = PseudonymKey.load(key) if key else PseudonymKey.create()
    count = deidentify_jsonl(in_path, out_path, pseudo_key, mode=mode)
    out.print(f"de-identified {count} reports → {out_path}")


# ---------------------------------------------------------------------------------- model
@app.command()
@user_errors
def models(as_json: JsonOpt = False) -> None:
    """List the registered model architectures: towers, embedding size, parameter count."""
    from bonesearch.models.summary_cache import cached_summaries
    from console.models import print_models

    print_models(cached_summaries(), as_json)


@app.command()
@user_errors
@settings_options(TrainConfig, into="config")
def pretrain(
    store: StoreOpt,
    config: TrainConfig,
    out_dir: Annotated[Path, typer.Option(
        "--out", help="Run folder: checkpoint/ (best), last/ (resume point), metrics.jsonl.")] = Path("runs/pretrain"),
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue the run in --out from its resume point (last/).")] = False,
) -> None:
    """Contrastive image/report pretraining on a store (under torchrun: distributed data parallel)."""
    from console.jobs import print_interrupted_training, print_train_summary
    from pretrain.distributed import is_main_process
    from pretrain.loop import train_with_progress_bar

    try:
        summary = train_with_progress_bar(store, out_dir, config, resume=resume)
    except KeyboardInterrupt:
        print_interrupted_training(out_dir)
        raise typer.Exit(130)
    if is_main_process():
        print_train_summary(summary)


@app.command()
@user_errors
def index(
    store: StoreOpt,
    checkpoint: Annotated[Path, typer.Option(help="Checkpoint folder written by `bonesearch pretrain`.")],
    device: DeviceOpt = "auto",
    batch_size: Annotated[int, typer.Option(min=1, help="Images per model call (512 on a GPU).")] = 128,
    workers: Annotated[Optional[int], typer.Option(
        min=0, help="PNG decode processes (default: most cores on CUDA, 2 on CPU).")] = None,
    update: Annotated[bool, typer.Option(
        "--update", help="Embed only what the indexes lack (new images, reports), with the indexes' own "
        "checkpoint.")] = False,
    index_factory: Annotated[Optional[str], typer.Option(
        "--index-factory", help="FAISS factory string for the images index, e.g. 'IVF4096_HNSW32,Flat' or "
        "'HNSW32' (default: exact up to 1 M vectors, IVF beyond).")] = None,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    index_memory: Annotated[Optional[str], typer.Option(
        "--index-memory", help="RAM the images index may take (e.g. 24G), for the automatic choice of its type: "
        "exact, IVF-Flat, IVF-SQ8, then IVF-PQ. Default: $BONESEARCH_INDEX_MEMORY or half the RAM. Searches "
        "memory-map an index file larger than it.")] = None,
) -> None:
    """Embed the store's images, studies and reports into FAISS indexes (STORE/index/)."""
    from bonesearch.index.memory import parse_bytes
    from console.jobs import print_index_summary
    from pipelines.jobs import index_with_progress_bar

    memory = parse_bytes(index_memory, "--index-memory") if index_memory else None
    summary = index_with_progress_bar(store, checkpoint, device=device, batch_size=batch_size, workers=workers,
                                      update=update, factory=index_factory, engine=engine, address=address,
                                      memory_bytes=memory)
    print_index_summary(summary)


@app.command()
@user_errors
def forget(
    store: StoreOpt,
    patient: Annotated[Optional[str], typer.Option(
        help="Patient pseudonym (PAT-…, as in studies.patient_pseudo): erase all their studies.")] = None,
    study: Annotated[Optional[str], typer.Option(
        help="Study UID (as in studies.study_uid): erase this study.")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Finish an interrupted forget (what `bonesearch check` asks for).")] = False,
    purge: Annotated[bool, typer.Option(
        "--purge", help="Rewrite the database file now: the physical purge of every erasure since the last one "
                        "(run it nightly on a large store; `bonesearch check` says when one is pending).")] = False,
    purge_when: Annotated[str, typer.Option(
        "--purge-when", help="When this erasure's database rewrite happens: auto (at once when the database is "
                             "under 16 MiB, else left to `forget --purge`), now, or later.")] = "auto",
) -> None:
    """Right to erasure: remove a patient or a study — rows, report keys, vectors, report words, cached
    pixels — from the store."""
    from console.jobs import print_forget_summary, print_purge_summary
    from indexer.forget import forget as forget_records
    from indexer.forget import purge as purge_store

    if purge and (patient or study):
        raise BonesearchError("--purge runs alone: `bonesearch forget --store S --purge` (an erasure's own rewrite "
                              "is --purge-when now)")
    if purge:
        print_purge_summary(purge_store(store))
        return
    print_forget_summary(forget_records(store, patient=patient, study=study, resume=resume, purge=purge_when),
                         patient, study)


@app.command()
@user_errors
def check(
    store: Annotated[Path, typer.Argument(help="Store folder to verify.")],
) -> None:
    """Verify that DuckDB, the FAISS indexes and the pixel cache agree (ids, counts, model). Exit 1 on problems."""
    from console.jobs import print_check_report
    from indexer.check import check_store

    report = check_store(store)
    print_check_report(report, store)
    if not report.ok:
        raise typer.Exit(1)


# ---------------------------------------------------------------------------------- search
def _read_queries(text: Optional[str], queries: Optional[Path]) -> list[str]:
    """The TEXT argument and the lines of --queries, in order."""
    from bonesearch.errors import InvalidQuery

    texts = [text] if text is not None else []
    if queries is not None:
        lines = queries.read_text(encoding="utf-8").splitlines()
        texts += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if not texts:
            raise InvalidQuery(f"--queries {queries} holds no query: write one French query per line")
    if not texts:
        raise typer.BadParameter("give a query TEXT, or --queries FILE with one query per line")
    return texts


@app.command()
@user_errors
def query(
    store: StoreOpt,
    text: Annotated[Optional[str], typer.Argument(
        help='French query, e.g. "fracture du radius distal" (case and accents do not matter).')] = None,
    queries: Annotated[Optional[Path], typer.Option(
        "--queries", exists=True, dir_okay=False, help="A file of queries, one per line (# comments and blank "
        "lines skipped).")] = None,
    k: KOpt = 10,
    where: WhereOpt = None,
    group_by: GroupByOpt = "image",
    mode: Annotated[Optional[SearchMode], typer.Option(
        help="hybrid: the report's words and vector with the image's (default when the store has reports); image: "
        "the image index alone; report: the reports alone.")] = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    device: DeviceOpt = "cpu",
) -> None:
    """Search the archive's images with French text queries."""
    require_store(store)  # before the heavy imports: a wrong path is answered at once
    from bonesearch.search.contact_sheet import SheetSection
    from bonesearch.search.engine import SearchEngine
    from console.search import print_query_results

    texts = _read_queries(text, queries)
    with SearchEngine.open(store, device=device) as engine:
        start = time.perf_counter()
        results = engine.search_texts(texts, k, where=where, group_by=group_by, mode=mode.value if mode else None)
        each_ms = (time.perf_counter() - start) * 1000 / len(texts)
        sections = [SheetSection(q, hits, where) for q, hits in zip(texts, results)]
        print_query_results(engine.store, sections, group_by, each_ms, as_json=as_json, html=html,
                            listed=queries is not None)


@app.command()
@user_errors
def similar(
    store: StoreOpt,
    image: Annotated[Optional[Path], typer.Argument(
        exists=True, dir_okay=False, help="A query image: PNG/JPEG or DICOM.")] = None,
    image_id: Annotated[Optional[int], typer.Option(
        "--image-id", min=0, max=2**63 - 1, help="An image of the store (its image_id) instead of a file; left out "
        "of its own results.")] = None,
    study: Annotated[Optional[str], typer.Option(
        "--study", help="A study of the store (its study_uid): the most similar studies, by study vectors.")] = None,
    k: KOpt = 10,
    where: WhereOpt = None,
    group_by: GroupByOpt = "image",
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    device: DeviceOpt = "cpu",
) -> None:
    """Find the archive's images (or studies) most similar to an image, a stored image or a study."""
    require_store(store)
    from bonesearch.imaging.query_image import load_query_image
    from bonesearch.search.contact_sheet import SheetSection
    from bonesearch.search.engine import SearchEngine
    from console.search import print_similar_results

    if sum(x is not None for x in (image, image_id, study)) != 1:
        raise typer.BadParameter("give exactly one of IMAGE, --image-id ID or --study UID")
    pixels = load_query_image(image) if image is not None else None
    with SearchEngine.open(store, device=device) as engine:
        if study is not None:
            hits, label = engine.search_study(study, k, where=where), f"study {study}"
        elif image_id is not None:
            hits, label = engine.search_image_id(image_id, k, where=where, group_by=group_by), f"image {image_id}"
        else:
            hits, label = engine.search_image(pixels, k, where=where, group_by=group_by), image.name
        unit = "studies" if study is not None or group_by == "study" else "images"
        print_similar_results(engine.store, SheetSection(f"similaire à {label}", hits, where), label, unit,
                              as_json=as_json, html=html)


@app.command()
@user_errors
def classify(
    images: Annotated[list[Path], typer.Argument(
        exists=True, dir_okay=False, help="Radiographs to classify: PNG/JPEG or DICOM.")],
    labels: Annotated[str, typer.Option(
        "--labels", help='Comma-separated French labels, e.g. "fracture,pas de fracture".')],
    store: Annotated[Optional[Path], typer.Option(
        "--store", "-s", help="Use the model that built this store's index.")] = None,
    checkpoint: Annotated[Optional[Path], typer.Option(help="Checkpoint folder (instead of --store).")] = None,
    template: Annotated[Optional[list[str]], typer.Option(
        "--template", help='Prompt template holding {label}, e.g. "radiographie montrant {label}"; repeat to '
        'average several.')] = None,
    as_json: JsonOpt = False,
    device: DeviceOpt = "cpu",
) -> None:
    """Zero-shot classification: probability of each French label for each image."""
    from bonesearch.imaging.query_image import load_query_image
    from bonesearch.models.checkpoint import load_checkpoint
    from bonesearch.search.engine import index_checkpoint
    from bonesearch.search.zero_shot import DEFAULT_TEMPLATES, parse_labels, zero_shot
    from console.search import print_zero_shot

    if (store is None) == (checkpoint is None):
        raise typer.BadParameter("give --store STORE (its index's model) or --checkpoint CKPT")
    names = parse_labels(labels)
    checkpoint = checkpoint or index_checkpoint(store)
    pixels = [load_query_image(path) for path in images]
    probabilities = zero_shot(load_checkpoint(checkpoint, device=device), pixels, names, template or DEFAULT_TEMPLATES)
    print_zero_shot(images, names, probabilities, as_json)


# ---------------------------------------------------------------------------------- demo
@app.command()
@user_errors
@settings_options(DemoConfig, into="config")
def demo(
    config: DemoConfig,
    directory: Annotated[Path, typer.Argument(help="Working folder (archive, store, run).")] = Path("demo-out"),
) -> None:
    """The whole pipeline on a fresh demo archive, then P@10 of French queries on held-out studies."""
    from console.demo import print_demo_result, print_demo_stage
    from pipelines.demo import run_demo

    print_demo_result(run_demo(directory, config, on_stage=print_demo_stage))


# ------------------------------------------------------------------------------------ web
@app.command()
@user_errors
def serve(
    store: StoreOpt,
    host: Annotated[str, typer.Option(
        help="Address to bind. Loopback by default; any other address needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    token: Annotated[Optional[str], typer.Option(
        envvar="BONESEARCH_TOKEN", show_envvar=True, help="Access token every API call must carry (required off "
        "loopback; ≥ 16 characters).")] = None,
    max_upload_mb: Annotated[int, typer.Option(
        min=1, max=1024, help="Largest image upload accepted, in MiB (413 above).")] = 64,
    device: DeviceOpt = "cpu",
) -> None:
    """Serve the web search page and its JSON API (read-only) over a store; see docs/web.md."""
    from bonesearch.web import serve as serve_web

    serve_web(store, host=host, port=port, token=token, device=device, upload_max_bytes=max_upload_mb * 1024 * 1024)


# ------------------------------------------------------------------------------ evaluation
eval_app = typer.Typer(help="Measure an encoder on labelled downstream data (kNN, linear probe).",
                       no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _floats(text: str, option: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise BonesearchError(f"{option} {text!r}: give comma-separated numbers, e.g. {option} 10,20,50,100") from None


@eval_app.command("knn")
@user_errors
def eval_knn(
    task: Annotated[Task, typer.Option(
        help="The labelled data's layout and kind: kl-grade, bone-age, the public sets (mura, fracatlas, "
        "grazpedwri), or generic classification / regression.")],
    data: Annotated[Path, typer.Option(
        help="Labelled training set: <label>/*.png folder, path,label CSV, RSNA bone-age folder, MURA-v1.1/train, "
        "or the FracAtlas / GRAZPEDWRI-DX folder.")],
    test: Annotated[Optional[Path], typer.Option(help="Labelled test set in the same layout as --data.")] = None,
    test_fraction: Annotated[Optional[float], typer.Option(
        help="Without --test: hold out this fraction of --data, chosen by hashed file id.")] = None,
    checkpoint: Annotated[Optional[Path], typer.Option(help="Checkpoint folder of `bonesearch pretrain`.")] = None,
    encoder: Annotated[Optional[list[EncoderName]], typer.Option(
        help="Repeat to compare in one table (default: checkpoint).")] = None,
    ks: Annotated[str, typer.Option(help="Neighbour counts (capped by the training items).")] = "10,20,50,100",
    fractions: Annotated[str, typer.Option(help="Shares of the training labels (label efficiency).")] = "0.01,0.1,1",
    seeds: Annotated[int, typer.Option(min=1, help="Label draws per fraction below 1.")] = 3,
    bootstrap: Annotated[int, typer.Option(min=0, help="Bootstrap resamples per 95 % CI (0: none).")] = 1000,
    probe: Annotated[bool, typer.Option("--probe/--no-probe", help="Also run the linear probe.")] = True,
    zero_shot: Annotated[bool, typer.Option(
        "--zero-shot/--no-zero-shot", help="Classification: also classify the test set from French prompts with "
        "the checkpoint's text tower.")] = True,
    prompts: Annotated[Optional[str], typer.Option(
        help='One French prompt per class, e.g. "0=pas de fracture,1=fracture" (default: the task\'s prompts, for '
        'kl-grade, mura, fracatlas, grazpedwri).')] = None,
    as_json: JsonOpt = False,
    out_dir: Annotated[Optional[Path], typer.Option(
        "--out", help="Write result.json, table.md and label_efficiency.png here.")] = None,
    cache: Annotated[Optional[Path], typer.Option(
        help="Embedding cache folder (content hash + encoder fingerprint).")] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 64,
    seed: Annotated[int, typer.Option(help="Seed of the random encoder and of --test-fraction.")] = 0,
    device: DeviceOpt = "auto",
) -> None:
    """kNN (weighted and majority vote, or weighted mean for regression), label efficiency, linear probe, zero-shot."""
    from bonesearch.downstream.protocols import EvalConfig
    from bonesearch.downstream.zero_shot import parse_prompts
    from console.evaluation import print_knn_evaluation
    from pipelines.knn_evaluation import evaluate_encoders

    config = EvalConfig(ks=tuple(int(k) for k in _floats(ks, "--ks")),
                        fractions=tuple(_floats(fractions, "--fractions")), seeds=seeds, bootstrap=bootstrap,
                        probe=probe, zero_shot=zero_shot)
    class_prompts = parse_prompts(prompts) if prompts is not None else None
    evaluation = evaluate_encoders(task, data, config, test=test, test_fraction=test_fraction, checkpoint=checkpoint,
                                   encoders=[name.value for name in encoder or []], prompts=class_prompts,
                                   cache=cache, batch_size=batch_size, seed=seed, device=device, out_dir=out_dir)
    print_knn_evaluation(evaluation, as_json, out_dir)


@eval_app.command("search")
@user_errors
def eval_search(
    store: StoreOpt,
    queries: Annotated[Path, typer.Option(
        exists=True, dir_okay=False, help='JSONL, one query per line: {"id", "query", "style", "relevant": '
        '{"body_part": [...], "finding": [...], "finding_site": [...], "laterality": "L"}}.')],
    labels: Annotated[Path, typer.Option(help="labels.csv: one row per image by SOP Instance UID (the demo's).")],
    mode: Annotated[Optional[list[SearchMode]], typer.Option(
        help="Repeat to compare in one table (default: every mode).")] = None,
    key: Annotated[Optional[Path], typer.Option(
        help="Pseudonymisation key file (default: STORE.key.json beside the store).")] = None,
    held_out: Annotated[float, typer.Option(
        "--held-out", min=0.0, max=1.0, help="Search the images of this fraction of patients, held out from "
        "pretraining (0: every labelled image).")] = 0.2,
    k: Annotated[int, typer.Option("--k", "-k", min=1, help="Precision and nDCG at this rank.")] = 10,
    depth: Annotated[int, typer.Option(min=1, help="Recall at this rank.")] = 100,
    as_json: JsonOpt = False,
    device: DeviceOpt = "cpu",
) -> None:
    """P@k (body part + finding; strict: every label given), nDCG@k and recall per mode and query style."""
    from console.evaluation import print_search_evaluation
    from pipelines.search_evaluation import evaluate_query_set

    modes = list(dict.fromkeys(m.value for m in mode)) if mode else list(MODES)
    evaluation = evaluate_query_set(store, queries, labels, modes, key_path=key,
                                    held_out_fraction=held_out or None, k=k, depth=depth, device=device)
    print_search_evaluation(evaluation, as_json, k, depth)


@eval_app.command("report-probe")
@user_errors
def eval_report_probe(
    store: StoreOpt,
    held_out: Annotated[float, typer.Option(
        "--held-out", min=0.01, max=0.99, help="Score on the images of this fraction of patients (pretraining's "
        "held-out split at 0.2); train the probes on the others.")] = 0.2,
    as_json: JsonOpt = False,
) -> None:
    """Without any annotation: how well the image embeddings predict the finding words each report affirms
    (a linear probe per word, ROC AUC on held-out patients, overall and within body part)."""
    from bonesearch.downstream.report_probe import probe_reports
    from console.evaluation import print_report_probe

    print_report_probe(probe_reports(store, held_out), as_json)


@eval_app.command("similar")
@user_errors
def eval_similar(
    store: StoreOpt,
    labels: Annotated[Path, typer.Option(
        help="labels.csv: one row per image by SOP Instance UID, with body_part and finding (the demo's).")],
    key: Annotated[Optional[Path], typer.Option(
        help="Pseudonymisation key file (default: STORE.key.json beside the store).")] = None,
    queries: Annotated[int, typer.Option(min=1, help="Query images, drawn (--seed) from the held-out patients.")] = 300,
    k: Annotated[int, typer.Option("--k", "-k", min=1, help="Nearest images of other studies scored.")] = 10,
    held_out: Annotated[float, typer.Option(
        "--held-out", min=0.0, max=0.99, help="Query the images of this fraction of patients, held out from "
        "pretraining (0: any labelled image).")] = 0.2,
    seed: Annotated[int, typer.Option(help="Seed of the query draw.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Similar cases as `bonesearch similar` ranks them: how often the nearest images of other studies share
    the query's body part, and its body part and finding (beside chance), with 95 % bootstrap intervals."""
    from bonesearch.downstream.similar_cases import evaluate_similar_cases
    from console.evaluation import print_similar_cases

    print_similar_cases(evaluate_similar_cases(store, labels, key_path=key, queries=queries, k=k,
                                               held_out_fraction=held_out or None, seed=seed), as_json)


if __name__ == "__main__":
    app()
