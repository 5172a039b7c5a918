"""The `bonesearch` command line: thin typer commands over the packages."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bonesearch.errors import BonesearchError, ReportFileError
from bonesearch.safe_text import one_line, safe_json

app = typer.Typer(
    help="bonesearch — French-language search engine for bone X-ray archives.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False)

StoreOpt = Annotated[Path, typer.Option("--store", "-s", help="Store folder (DuckDB + pixels + index).")]
KOpt = Annotated[int, typer.Option("--k", "-k", min=1, max=1000, help="Number of results.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]
DeviceOpt = Annotated[str, typer.Option("--device", help="auto (CUDA when present), cpu, cuda, cuda:N.")]
EngineOpt = Annotated[str, typer.Option("--engine", help="local (worker processes on this machine) or ray (Ray Data: a local cluster of --workers CPUs, or the cluster at --address).")]
AddressOpt = Annotated[Optional[str], typer.Option("--address", help="With --engine ray: an existing Ray cluster (auto, HEAD:6379, ray://…); the archive and store must be on a filesystem every node mounts at the same path.")]


def user_errors(fn):
    """Print user-caused errors as one red line (no traceback) and exit with status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BonesearchError as exc:
            err.print(f"[bold red]error:[/] {escape(one_line(str(exc)))}")
            raise typer.Exit(2) from None

    return wrapper


# ---------------------------------------------------------------------------------- data
@app.command("demo-archive")
@user_errors
def demo_archive(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write export/ (DICOM + reports.csv), labels.csv, phi.json.")],
    studies: Annotated[int, typer.Option(min=1, help="Number of studies.")] = 600,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same archive).")] = 0,
) -> None:
    """Write a realistic, fictional hospital export: the embedded default archive."""
    from bonesearch.demo.archive import write_demo_archive
    from bonesearch.progress import progress_bar

    with progress_bar("demo archive", studies) as advance:
        summary = write_demo_archive(out_dir, studies=studies, seed=seed, progress=lambda done, total: advance(1))
    out.print(
        f"wrote {summary.studies} studies, {summary.images} images ({summary.burned_in_images} flagged BurnedInAnnotation=YES, "
        f"{summary.undeclared_stamp_images} with an undeclared identity stamp), "
        f"{summary.reports} reports, {summary.junk_files} stray non-DICOM/corrupt files for {summary.patients} patients "
        f"to {out_dir} in {summary.seconds:.1f} s"
    )
    out.print(f"  ingest it with: bonesearch ingest {Path(out_dir) / 'export'} --store STORE")


@app.command()
@user_errors
def ingest(
    archive: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Hospital export: a DICOM tree (any layout).")],
    store: StoreOpt,
    reports: Annotated[Optional[Path], typer.Option(help="Reports: a CSV or JSONL export (accession number and/or patient id, date, text), or a folder of .txt/.pdf reports; default ARCHIVE/reports.csv.")] = None,
    key: Annotated[Optional[Path], typer.Option(help="Pseudonymisation key file (default: STORE.key.json beside the store).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Decode processes (default: every core).")] = max(1, os.cpu_count() or 1),
    cache_size: Annotated[Optional[int], typer.Option("--cache-size", min=32, max=2048, help="Side in pixels of the cached square images (default: the store's own, else 256; 512 for higher-resolution models). Fixed per store.")] = None,
    burned_in: Annotated[str, typer.Option(help="Images whose header says BurnedInAnnotation=YES: exclude (and count) or keep.")] = "exclude",
    ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="Screen the other images' pixels for burned-in text with Tesseract.")] = True,
    ocr_max_chars: Annotated[int, typer.Option(min=1, help="Exclude an image when OCR reads this many characters or more.")] = 35,
    ocr_screen_size: Annotated[int, typer.Option(min=256, max=4096, help="Long side (px) the OCR screen sees at least: 512 catches text ≥ ~1 % of the image; 1024 smaller text, at twice the cost.")] = 512,
    export_dicom: Annotated[Optional[Path], typer.Option(file_okay=False, help="Also write de-identified DICOM copies (PS3.15 Basic Profile, modified dates) into this folder.")] = None,
    date_window: Annotated[int, typer.Option(min=0, max=365, help="Reports without an accession number link to the patient's study within this many days.")] = 7,
    max_upsample: Annotated[float, typer.Option(min=0.0, max=0.5, help="Decode a smaller resolution level when it is within this fraction of the cache size, and upsample (JPEG 2000 1760 px into a 512 cache: the 440-px level, 4x faster than 880). 0: never upsample. The OCR screen never uses it.")] = 0.15,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
) -> None:
    """De-identify an export (DICOM + French reports) into a store. Resumable."""
    from bonesearch.deid.burned_in import BurnedInPolicy
    from bonesearch.progress import progress_bar
    from indexer.ingest import ingest_archive

    if burned_in not in ("exclude", "keep"):
        raise typer.BadParameter(f"--burned-in {burned_in!r}: choose exclude or keep")
    policy = BurnedInPolicy(flagged=burned_in, ocr=ocr, max_chars=ocr_max_chars, screen_size=ocr_screen_size,
                            detect_size=max(1024, ocr_screen_size))

    if reports is not None and not reports.exists():
        raise ReportFileError(f"--reports {reports} does not exist; pass the reports CSV, JSONL or folder exported with the images")
    with progress_bar("ingest") as bar:
        summary = ingest_archive(archive, store, reports_path=reports, key_path=key, workers=workers, advance=bar,
                                 on_total=bar.set_total, cache_size=cache_size, burned_in=policy,
                                 export_dicom=export_dicom, date_window_days=date_window,
                                 max_upsample=max_upsample, engine=engine, address=address)
    print_ingest_summary(summary, store)


def print_ingest_summary(summary, store: Path) -> None:
    """The one-screen ingest summary."""
    table = Table(title=f"ingest → {store}", show_header=False, title_justify="left")
    table.add_row("files seen", str(summary.files_seen))
    processed = summary.files_seen - summary.already_ingested
    workers = summary.workers
    table.add_row("images ingested", f"{summary.images_ingested} ({summary.images_per_second:.1f} images/s, "
                  f"{processed / max(summary.seconds, 1e-9) / workers:.1f} files/s per worker × {workers})")
    table.add_row("already in store", str(summary.already_ingested))
    if summary.duplicates:
        table.add_row("copies of stored images", f"{summary.duplicates} (same SOP Instance UID and content; not stored twice)")
    if summary.replaced:
        table.add_row("replaced by a newer version", f"{summary.replaced} (same SOP Instance UID, other content: the file "
                      f"ingested last wins; run `bonesearch index --update`)")
    if summary.forgotten:
        table.add_row("erased on request", f"{summary.forgotten} (images erased by `bonesearch forget`: not ingested again)")
    table.add_row("engine", summary.engine)
    by_class: dict[str, dict[str, int]] = {}
    for record in summary.problems:
        by_class.setdefault(record.status, {}).setdefault(record.reason_class, 0)
        by_class[record.status][record.reason_class] += 1
    for status, title in (("excluded", "excluded (burned-in text)"), ("skipped", "skipped (bad input)")):
        count = len(summary.excluded if status == "excluded" else summary.skipped)
        detail = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(by_class.get(status, {}).items()))
        table.add_row(title, f"{count} ({detail})" if detail else str(count))
    if summary.unmapped:
        table.add_row("header values not in vocabulary", ", ".join(f"{k} {v}" for k, v in sorted(summary.unmapped.items()))
                      + " (stored as OTHER/empty; see docs/header-deidentification.md)")
    if summary.multi_frame:
        table.add_row("multi-frame files", f"{summary.multi_frame} (first frame cached)")
    table.add_row("studies in store", str(summary.studies_total))
    table.add_row("reports ingested", str(summary.reports_ingested))
    table.add_row("reports without a study", str(summary.reports_orphan))
    table.add_row("studies without a report", str(summary.studies_without_report))
    read = summary.reports
    if read and (read.dates_out_of_range or read.reports_with_controls or read.blank_reports_removed):
        table.add_row("report clean-up", f"{read.dates_out_of_range} placeholder dates dropped, "
                      f"{read.reports_with_controls} reports stripped of control characters, "
                      f"{read.blank_reports_removed} blank reports from an older version removed")
    if summary.phi_replacements:
        table.add_row("PHI replaced in reports", ", ".join(f"{k} {v}" for k, v in sorted(summary.phi_replacements.items())))
    table.add_row("time", f"{summary.seconds:.1f} s")
    out.print(table)
    listed = ([reason for _, reason in summary.skipped if "is a DICOMDIR" not in reason]
              + [f"{label}: {reason}" for label, reason in summary.reports_skipped])
    for reason in listed[:10]:
        out.print(f"  [yellow]skipped[/] {escape(reason)}")
    if len(listed) > 10:
        out.print(f"  … and {len(listed) - 10} more")
    orphans = summary.reports.orphans if summary.reports else []
    for label, reason in orphans[:5]:
        out.print(f"  [yellow]report without a study[/] {escape(label)}: {escape(reason)}")
    if len(orphans) > 5:
        out.print(f"  … and {len(orphans) - 5} more reports without a study (counts by reason in the ingest report)")
    if summary.skipped_list_path:
        out.print(f"  full list with paths (operator only, outside the store): {summary.skipped_list_path}")
    if summary.report_path:
        out.print(f"  ingest report (counts, reasons, throughput; no paths): {summary.report_path}")


@app.command("deid-text")
@user_errors
def deid_text(
    in_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help='JSONL: {"id": ..., "text": ...} per line.')],
    out_path: Annotated[Path, typer.Argument(help='JSONL with "spans" and "text_deid" added.')],
    key: Annotated[Optional[Path], typer.Option(help="Key file for date shifts (default: a fresh random key, not saved).")] = None,
    mode: Annotated[str, typer.Option(help='"surrogate": realistic names, shifted dates; "tag": <PATIENT>, <DATE>…')] = "surrogate",
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
    from bonesearch.models.summary import summarize_models

    summaries = summarize_models()
    if as_json:
        print(json.dumps([s.to_dict() for s in summaries], ensure_ascii=False, indent=2))
        return

    def millions(n: int | None) -> str:
        return "?" if n is None else f"{n / 1e6:.1f} M"

    table = Table("name", "image tower", "text tower", "embed", "parameters", "description",
                  title="model architectures (bonesearch/model_configs/*.json)", show_lines=True)
    for s in summaries:
        pooling = "mean" if s.pooler == "mean_pooler" else "CLS"
        total = millions(s.params_total) if s.params_total is not None else f"{millions(s.params_image)} + text ?"
        table.add_row(
            s.name,
            f"{s.image_tower}\n{s.image_size} px, {s.in_chans} ch",
            f"{escape(s.text_tower)}\n{s.context_length} tokens, {pooling} pooling",
            str(s.embed_dim) + ("\n+ logit bias" if s.logit_bias is not None else ""),
            f"{total}\nimage {millions(s.params_image)}\ntext {millions(s.params_text)}",
            escape(s.description),
        )
    out.print(table)
    out.print("parameters counted on the meta device; a from-scratch vocabulary at its cap, '?' = hub model not downloaded")


@app.command()
@user_errors
def pretrain(
    store: StoreOpt,
    model: Annotated[str, typer.Option(help="Architecture (see `bonesearch models`).")] = "small",
    out_dir: Annotated[Path, typer.Option("--out", help="Run folder: checkpoint/ (best), last/ (resume point), metrics.jsonl.")] = Path("runs/pretrain"),
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the training studies (one random image per study each).")] = 30,
    max_steps: Annotated[Optional[int], typer.Option(min=1, help="Optimizer steps in all (instead of --epochs).")] = None,
    minutes: Annotated[Optional[float], typer.Option(help="Stop after this many minutes (the schedule follows time too).")] = None,
    batch_size: Annotated[int, typer.Option(min=2, help="Pairs per step and per process (the paper: 256 per GPU).")] = 64,
    accum_steps: Annotated[int, typer.Option(min=1, help="Split each batch into N chunks: same loss and gradient, less memory.")] = 1,
    lr: Annotated[float, typer.Option(help="Peak learning rate (1e-3 CPU demo; ~1e-4 for ViT-B/16 + BERT).")] = 1e-3,
    weight_decay: Annotated[float, typer.Option(min=0.0)] = 0.05,
    warmup: Annotated[float, typer.Option(min=0.0, max=0.5, help="Fraction of steps of linear warm-up before the cosine decay.")] = 0.05,
    optimizer: Annotated[str, typer.Option(help="adamw or lion.")] = "adamw",
    loss: Annotated[str, typer.Option(help="clip (symmetric InfoNCE) or siglip.")] = "clip",
    text_model: Annotated[Optional[str], typer.Option(help="Text tower: local-dir:PATH or a hub name (default: the model's, BERT from scratch for the CPU models).")] = None,
    text_mode: Annotated[str, typer.Option(help="Report text the text tower sees: technique+findings+conclusion, findings+conclusion or full.")] = "technique+findings+conclusion",
    held_out: Annotated[float, typer.Option(min=0.0, max=0.9, help="Fraction of patients held out for validation.")] = 0.2,
    val_every: Annotated[int, typer.Option(min=0, help="Validate (held-out retrieval) every N steps and keep the best; 0: at the end.")] = 0,
    early_stop: Annotated[int, typer.Option(min=0, help="Stop after N validations without improvement (0: never).")] = 0,
    save_every: Annotated[int, typer.Option(min=0, help="Also write the resume point every N steps.")] = 0,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the run in --out from its resume point (last/).")] = False,
    lock_image: Annotated[bool, typer.Option("--lock-image", help="Freeze the image tower (LiT).")] = False,
    lock_text: Annotated[bool, typer.Option("--lock-text", help="Freeze the text tower (after --text-warmup); each distinct report is then encoded once.")] = False,
    text_warmup: Annotated[int, typer.Option("--text-warmup", min=0, help="SimCSE-style steps on the reports alone before training: spreads out a from-scratch text tower, which otherwise maps every report to nearly the same vector (see docs/pretraining.md).")] = 0,
    full_text_p: Annotated[float, typer.Option(min=0.0, max=1.0, help="Probability of the whole report text; else a shorter view (conclusion, one sentence) that teaches short queries.")] = 0.5,
    grad_checkpointing: Annotated[bool, typer.Option("--grad-checkpointing", help="Recompute activations: less memory, slower.")] = False,
    compile_model: Annotated[bool, typer.Option("--compile", help="torch.compile the model (GPU).")] = False,
    workers: Annotated[Optional[int], typer.Option(min=0, help="Data-loading processes (default: 0 on CPU, min(8, cores-1) on GPU).")] = None,
    precision: Annotated[str, typer.Option(help="auto (bf16 on CUDA), bf16 or fp32.")] = "auto",
    seed: int = 0,
    device: DeviceOpt = "auto",
) -> None:
    """Contrastive image/report pretraining on a store (under torchrun: distributed data parallel)."""
    from pretrain.config import TrainConfig

    cfg = TrainConfig(model=model, epochs=epochs, max_steps=max_steps, max_minutes=minutes, batch_size=batch_size,
                      accum_steps=accum_steps, lr=lr, weight_decay=weight_decay, warmup_fraction=warmup,
                      optimizer=optimizer, loss=loss, text_source=text_model, text_mode=text_mode,
                      held_out_fraction=held_out, val_every=val_every, early_stop_patience=early_stop,
                      save_every=save_every, lock_image=lock_image, lock_text=lock_text,
                      text_warmup_steps=text_warmup, full_text_p=full_text_p,
                      grad_checkpointing=grad_checkpointing, compile=compile_model, workers=workers,
                      precision=precision, seed=seed, device=device)
    try:
        summary = _run_pretrain(store, out_dir, cfg, resume=resume)
    except KeyboardInterrupt:
        out.print(f"[yellow]interrupted[/]: the resume point is in {out_dir / 'last'}; continue with the same command and --resume")
        raise typer.Exit(130)
    if os.environ.get("RANK", "0") == "0":
        print_train_summary(summary)


def _run_pretrain(store: Path, out_dir: Path, cfg, resume: bool = False):
    from bonesearch.progress import no_progress, progress_bar
    from pretrain.loop import train

    if os.environ.get("RANK", "0") != "0":  # under torchrun, one bar (rank 0's)
        return train(store, out_dir, cfg, advance=no_progress, resume=resume)
    with progress_bar("pretrain (steps)") as bar:
        return train(store, out_dir, cfg, advance=bar, on_total=bar.set_total, resume=resume)


def print_train_summary(summary) -> None:
    """The one-screen pretraining summary."""
    resumed = f" (resumed at step {summary.resumed_from})" if summary.resumed_from is not None else ""
    ranks = f" × {summary.world_size} processes" if summary.world_size > 1 else ""
    out.print(
        f"pretrained {summary.steps} steps{resumed} ({summary.epochs_done:.1f} epochs) on {summary.train_studies} studies in "
        f"{summary.seconds:.1f} s{ranks} — {summary.pairs_per_second:.1f} pairs/s, final loss {summary.final_loss:.3f}"
    )
    if summary.retrieval:
        r = summary.retrieval
        kept = f"best of {summary.validations} validations, step {summary.best_step}" if summary.validations > 1 else "final model"
        out.print(
            f"held-out ({summary.held_out_studies} studies, {kept}): image→report R@1/5/10 "
            f"{r['image_to_text_R@1']:.2f}/{r['image_to_text_R@5']:.2f}/{r['image_to_text_R@10']:.2f}, "
            f"report→image R@1/5/10 {r['text_to_image_R@1']:.2f}/{r['text_to_image_R@5']:.2f}/{r['text_to_image_R@10']:.2f}, "
            f"median rank {r['image_to_text_median_rank']:.0f}/{r['text_to_image_median_rank']:.0f}"
        )
    if summary.stopped_early:
        out.print("stopped early: no validation improvement within --early-stop validations")
    out.print(f"checkpoint: {summary.checkpoint}")


@app.command()
@user_errors
def index(
    store: StoreOpt,
    checkpoint: Annotated[Path, typer.Option(help="Checkpoint folder written by `bonesearch pretrain`.")],
    device: DeviceOpt = "auto",
    batch_size: Annotated[int, typer.Option(min=1, help="Images per model call (512 on a GPU).")] = 128,
    workers: Annotated[Optional[int], typer.Option(min=0, help="PNG decode processes (default: most cores on CUDA, 2 on CPU).")] = None,
    update: Annotated[bool, typer.Option("--update", help="Embed only what the indexes lack (new images, reports), with the indexes' own checkpoint.")] = False,
    index_factory: Annotated[Optional[str], typer.Option("--index-factory", help="FAISS factory string for the images index, e.g. 'IVF4096_HNSW32,Flat' or 'HNSW32' (default: exact up to 1 M vectors, IVF beyond).")] = None,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    index_memory: Annotated[Optional[str], typer.Option("--index-memory", help="RAM the images index may take (e.g. 24G), for the automatic choice of its type: exact, IVF-Flat, IVF-SQ8, then IVF-PQ. Default: $BONESEARCH_INDEX_MEMORY or half the RAM. Searches memory-map an index file larger than it.")] = None,
) -> None:
    """Embed the store's images, studies and reports into FAISS indexes (STORE/index/)."""
    from bonesearch.index.memory import parse_bytes

    memory = parse_bytes(index_memory, "--index-memory") if index_memory else None
    summary = _run_index(store, checkpoint, device, batch_size, workers=workers, update=update, factory=index_factory,
                         engine=engine, address=address, memory_bytes=memory)
    what = "updated" if summary.updated else "built"
    out.print(
        f"{what} indexes with model {summary.model_fingerprint} ({summary.dim}-d): embedded {summary.images} images in "
        f"{summary.seconds:.1f} s — {summary.images_per_second:.1f} images/s ({summary.embed_images_per_second:.1f} images/s "
        f"embedding alone), {summary.reports_embedded} reports, {summary.studies_computed} study vectors"
    )
    out.print(
        f"  images {summary.images_total} vectors ({summary.factory}), studies {summary.studies_total}, "
        f"reports {summary.reports_total}" + (f"; {summary.removed} stale vectors removed" if summary.removed else "")
        + f" → {summary.index_path.parent}" + ("" if summary.written else " (nothing new: unchanged)")
    )
    out.print(f"  engine: {summary.engine}")
    if summary.retried_images:
        out.print(f"  [yellow]{summary.retried_images} images[/] were embedded again on this machine after their Ray "
                  f"workers failed")


def _run_index(store: Path, checkpoint: Path, device: str, batch_size: int = 128, workers: Optional[int] = None,
               update: bool = False, factory: Optional[str] = None, engine: str = "local", address: Optional[str] = None,
               memory_bytes: Optional[int] = None):
    from bonesearch.progress import progress_bar
    from indexer.build_index import build_image_index

    with progress_bar("index (images)") as bar:
        return build_image_index(store, checkpoint, device=device, batch_size=batch_size, workers=workers,
                                 advance=bar, on_total=bar.set_total, factory=factory, update=update,
                                 engine=engine, address=address, memory_bytes=memory_bytes)


@app.command()
@user_errors
def forget(
    store: StoreOpt,
    patient: Annotated[Optional[str], typer.Option(help="Patient pseudonym (PAT-…, as in studies.patient_pseudo): erase all their studies.")] = None,
    study: Annotated[Optional[str], typer.Option(help="Study UID (as in studies.study_uid): erase this study.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted forget (what `bonesearch check` asks for).")] = False,
) -> None:
    """Right to erasure: remove a patient or a study — rows, vectors, cached pixels — from the store."""
    from indexer.forget import forget as forget_records

    summary = forget_records(store, patient=patient, study=study, resume=resume)
    if summary.resumed:
        out.print("finished an interrupted forget")
    if patient is None and study is None:
        if not summary.resumed:
            out.print("nothing to resume: no interrupted forget")
        return
    who = f"patient {patient}" if patient else f"study {study}"
    rows = ", ".join(f"{table} {n}" for table, n in sorted(summary.rows.items())) or "none"
    vectors = ", ".join(f"{name} {n}" for name, n in summary.vectors.items()) or "none"
    out.print(f"forgot {escape(who)}: {summary.studies} studies, {summary.images} images, {summary.reports} reports")
    out.print(f"  DuckDB rows deleted: {rows}; {summary.sources_marked} source files kept as 'forgotten' "
              f"(no image id: a re-ingest of the same export skips them)")
    out.print(f"  vectors removed: {vectors}; cached pixel files deleted: {summary.pixel_files}; database rewritten")


@app.command()
@user_errors
def check(
    store: Annotated[Path, typer.Argument(help="Store folder to verify.")],
) -> None:
    """Verify that DuckDB, the FAISS indexes and the pixel cache agree (ids, counts, model). Exit 1 on problems."""
    from indexer.check import check_store

    report = check_store(store)
    for note in report.notes:
        out.print(f"[yellow]note[/]: {escape(note)}")
    counts = ", ".join(f"{name} {n}" for name, n in report.counts.items())
    if report.ok:
        out.print(f"store consistent: {counts}")
        return
    out.print(f"[bold red]{len(report.problems)} problem(s)[/] in {store} ({counts}):")
    for problem in report.problems:
        out.print(f"  - {escape(problem.what)}\n    fix: {escape(problem.fix)}")
    raise typer.Exit(1)


# ---------------------------------------------------------------------------------- search
WhereOpt = Annotated[Optional[str], typer.Option("--where", help="SQL condition over images ⋈ studies, e.g. \"body_part = 'WRIST' AND age_months < 216\" (columns: image_id, study_id, study_uid, patient_pseudo, study_date, modality, body_part, study_body_part, view, laterality, age_months, sex, manufacturer, rows, cols, pixel_spacing_mm…). Exact: k results whenever k images match.")]
GroupByOpt = Annotated[str, typer.Option("--group-by", help="image, or study: the k best studies, each shown by its best image.")]
HtmlOpt = Annotated[Optional[Path], typer.Option("--html", dir_okay=False, help="Also write a self-contained HTML contact sheet (thumbnails, scores, report excerpts) to this file.")]


def print_hits(hits, as_json: bool, title: str) -> None:
    """Ranked images or studies as a rich table, or JSON. Stored text (report excerpts, header
    fields) is shown as plain text with its control characters and escape sequences replaced
    (:func:`bonesearch.safe_text.one_line`); JSON escapes them."""
    from bonesearch.search.hits import StudyHit

    if as_json:
        print(safe_json([h.to_dict() for h in hits], indent=2))
        return
    studies = bool(hits) and isinstance(hits[0], StudyHit)
    columns = (("#", 2), ("score", 5), ("study", 7), ("date", 10), ("body part", 9))
    columns += (("images", 6), ("best image", 10), ("age", 4), ("sex", 3)) if studies else \
        (("image", 5), ("side", 4), ("view", 4), ("age", 4), ("sex", 3))
    table = Table(title=title, title_justify="left")
    for column, width in columns:
        table.add_column(column, no_wrap=True, min_width=width)
    table.add_column("report excerpt", no_wrap=True, overflow="ellipsis", max_width=56)
    for h in hits:
        age = f"{h.age_months // 12} y" if h.age_months is not None else ""
        head = [str(h.rank), f"{h.score:.3f}", "…" + h.study_uid[-6:], h.study_date or "", h.body_part]
        tail = [str(h.images), str(h.image_id)] if studies else [str(h.image_id), h.laterality, h.view]
        table.add_row(*(Text(one_line(cell)) for cell in (*head, *tail, age, h.sex, h.excerpt)))
    out.print(table)


def _show_results(engine, sections, as_json: bool, html: Optional[Path], titles: list[str], listed: bool) -> None:
    """Print each section (``listed``: JSON as [{query, hits}]), then write the contact sheet."""
    from bonesearch.search.contact_sheet import write_contact_sheet

    if as_json and listed:
        print(safe_json([{"query": s.query, "hits": [h.to_dict() for h in s.hits]} for s in sections], indent=2))
    else:
        for section, title in zip(sections, titles):
            print_hits(section.hits, as_json, title)
    if any(s.where and not s.hits for s in sections):
        err.print(f"[yellow]no image matches --where {escape(one_line(sections[0].where))}[/] (values are as stored: "
                  f"body_part 'WRIST', sex 'F'/'M', dates as DATE '2020-01-31')")
    if html is not None:
        write_contact_sheet(html, engine.store, sections)
        err.print(f"contact sheet → {escape(one_line(str(html)))}")


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
    text: Annotated[Optional[str], typer.Argument(help='French query, e.g. "fracture du radius distal" (case and accents do not matter).')] = None,
    queries: Annotated[Optional[Path], typer.Option("--queries", exists=True, dir_okay=False, help="A file of queries, one per line (# comments and blank lines skipped).")] = None,
    k: KOpt = 10,
    where: WhereOpt = None,
    group_by: GroupByOpt = "image",
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    device: DeviceOpt = "cpu",
) -> None:
    """Search the archive's images with French text queries."""
    from bonesearch.search.contact_sheet import SheetSection
    from bonesearch.search.engine import SearchEngine

    texts = _read_queries(text, queries)
    with SearchEngine.open(store, device=device) as engine:
        start = time.perf_counter()
        results = engine.search_texts(texts, k, where=where, group_by=group_by)
        each_ms = (time.perf_counter() - start) * 1000 / len(texts)
        sections = [SheetSection(q, hits, where) for q, hits in zip(texts, results)]
        unit = "studies" if group_by == "study" else "images"
        titles = [f"« {escape(one_line(q))} » — top {len(hits)} {unit} in {each_ms:.0f} ms" for q, hits in zip(texts, results)]
        _show_results(engine, sections, as_json, html, titles, listed=queries is not None)


@app.command()
@user_errors
def similar(
    store: StoreOpt,
    image: Annotated[Optional[Path], typer.Argument(exists=True, dir_okay=False, help="A query image: PNG/JPEG or DICOM.")] = None,
    image_id: Annotated[Optional[int], typer.Option("--image-id", min=0, max=2**63 - 1, help="An image of the store (its image_id) instead of a file; left out of its own results.")] = None,
    study: Annotated[Optional[str], typer.Option("--study", help="A study of the store (its study_uid): the most similar studies, by study vectors.")] = None,
    k: KOpt = 10,
    where: WhereOpt = None,
    group_by: GroupByOpt = "image",
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
    device: DeviceOpt = "cpu",
) -> None:
    """Find the archive's images (or studies) most similar to an image, a stored image or a study."""
    from bonesearch.search.contact_sheet import SheetSection
    from bonesearch.imaging.pixel_cache import load_query_image
    from bonesearch.search.engine import SearchEngine

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
        section = SheetSection(f"similaire à {label}", hits, where)
        _show_results(engine, [section], as_json, html, [f"similar to {escape(one_line(label))} — top {len(hits)} {unit}"],
                      listed=False)


@app.command()
@user_errors
def classify(
    images: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="Radiographs to classify: PNG/JPEG or DICOM.")],
    labels: Annotated[str, typer.Option("--labels", help='Comma-separated French labels, e.g. "fracture,pas de fracture".')],
    store: Annotated[Optional[Path], typer.Option("--store", "-s", help="Use the model that built this store's index.")] = None,
    checkpoint: Annotated[Optional[Path], typer.Option(help="Checkpoint folder (instead of --store).")] = None,
    template: Annotated[Optional[list[str]], typer.Option("--template", help='Prompt template holding {label}, e.g. "radiographie montrant {label}"; repeat to average several.')] = None,
    as_json: JsonOpt = False,
    device: DeviceOpt = "cpu",
) -> None:
    """Zero-shot classification: probability of each French label for each image."""
    from bonesearch.imaging.pixel_cache import load_query_image
    from bonesearch.models.checkpoint import load_checkpoint
    from bonesearch.store import Store
    from bonesearch.index.files import read_manifest
    from bonesearch.search.zero_shot import DEFAULT_TEMPLATES, parse_labels, zero_shot

    if (store is None) == (checkpoint is None):
        raise typer.BadParameter("give --store STORE (its index's model) or --checkpoint CKPT")
    names = parse_labels(labels)
    if checkpoint is None:
        with Store.open(store) as s:
            checkpoint = read_manifest(s.index_dir, "images").checkpoint
    pixels = [load_query_image(path) for path in images]
    probs = zero_shot(load_checkpoint(checkpoint, device=device), pixels, names, template or DEFAULT_TEMPLATES)
    if as_json:
        rows = [{"image": str(path), "label": names[int(p.argmax())], "probabilities": dict(zip(names, map(float, p)))}
                for path, p in zip(images, probs)]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("image", *names, "label", title="zero-shot classification", title_justify="left")
    for path, p in zip(images, probs):
        table.add_row(escape(path.name), *(f"{x:.3f}" for x in p), escape(names[int(p.argmax())]))
    out.print(table)


# ---------------------------------------------------------------------------------- demo
DEMO_ENTRIES = {"archive", "store", "run", "store.key.json", "store.ingest-skipped.csv"}


def _clear_demo_directory(directory: Path) -> None:
    """Remove an earlier demo's folder; refuse to touch a folder that holds anything else."""
    import shutil

    if not directory.exists():
        return
    foreign = sorted(p.name for p in directory.iterdir() if p.name not in DEMO_ENTRIES)
    if foreign:
        raise BonesearchError(
            f"{directory} holds files that are not a bonesearch demo ({', '.join(foreign[:3])}…): "
            f"pass an empty or new folder to `bonesearch demo`"
        )
    shutil.rmtree(directory)


@app.command()
@user_errors
def demo(
    directory: Annotated[Path, typer.Argument(help="Working folder (archive, store, run).")] = Path("demo-out"),
    studies: Annotated[int, typer.Option(min=20, help="Studies in the demo archive.")] = 600,
    seed: int = 0,
    model: Annotated[str, typer.Option(help="Architecture to pretrain.")] = "small",
    epochs: Annotated[int, typer.Option(min=1)] = 60,
    minutes: Annotated[float, typer.Option(help="Time budget for pretraining (minutes).")] = 4.5,
    device: DeviceOpt = "auto",
) -> None:
    """The whole pipeline on a fresh demo archive, then P@10 of French queries on held-out studies."""
    from bonesearch.deid.key import PseudonymKey, default_key_path
    from bonesearch.demo.archive import write_demo_archive
    from bonesearch.downstream.retrieval import evaluate_text_retrieval
    from bonesearch.progress import progress_bar
    from bonesearch.search.engine import SearchEngine
    from indexer.ingest import ingest_archive
    from pretrain.config import TrainConfig

    timings: dict[str, float] = {}
    directory = Path(directory)
    _clear_demo_directory(directory)
    archive, store = directory / "archive", directory / "store"

    t = time.perf_counter()
    with progress_bar("1/5 demo archive", studies) as advance:
        arch = write_demo_archive(archive, studies=studies, seed=seed, progress=lambda d, n: advance(1))
    timings["archive"] = time.perf_counter() - t
    out.print(f"[bold]1/5 archive[/]: {arch.studies} studies, {arch.images} images, {arch.reports} reports ({timings['archive']:.1f} s)")

    # fictional data: the demo's key derives from its seed so that runs are reproducible
    # (held-out split included); a real archive gets a random key on its first ingest
    PseudonymKey.for_demo(seed).save(default_key_path(store))
    t = time.perf_counter()
    with progress_bar("2/5 ingest") as bar:
        ingest_summary = ingest_archive(archive / "export", store, workers=os.cpu_count() or 1, advance=bar,
                                        on_total=bar.set_total)
    timings["ingest"] = time.perf_counter() - t
    out.print(f"[bold]2/5 ingest[/]:")
    print_ingest_summary(ingest_summary, store)

    cfg = TrainConfig(model=model, epochs=epochs, max_minutes=minutes, seed=seed, device=device)
    t = time.perf_counter()
    train_summary = _run_pretrain(store, directory / "run", cfg)
    timings["pretrain"] = time.perf_counter() - t
    out.print("[bold]3/5 pretrain[/]:")
    print_train_summary(train_summary)

    t = time.perf_counter()
    index_summary = _run_index(store, train_summary.checkpoint, device)
    timings["index"] = time.perf_counter() - t
    out.print(f"[bold]4/5 index[/]: {index_summary.images} images, {index_summary.images_per_second:.1f} images/s")

    t = time.perf_counter()
    engine = SearchEngine.open(store)
    try:
        report = evaluate_text_retrieval(engine, archive / "labels.csv", PseudonymKey.load(default_key_path(store)),
                                         cfg.held_out_fraction, seed=0)
        example = engine.search_text("fracture du radius distal", 5)
    finally:
        engine.close()
    timings["evaluate"] = time.perf_counter() - t
    print_hits(example, False, "« fracture du radius distal » — top 5")
    table = Table("query", "relevant / pool", "chance", "P@10", title="5/5 held-out text→image retrieval", title_justify="left")
    for c in report.classes:
        table.add_row(c.query, f"{c.relevant} / {c.pool}", f"{c.chance:.2f}",
                      f"{c.precision:.2f}" if c.precision is not None else f"— (< {10} relevant)")
    out.print(table)
    out.print("stage times: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()) + f"; total {sum(timings.values()):.1f} s")
    out.print(f"demo chance mean P@10: {report.mean_chance:.2f}")
    out.print(f"demo retrieval mean P@10: {report.mean_precision:.2f}")


# ------------------------------------------------------------------------------------ web
@app.command()
@user_errors
def serve(
    store: StoreOpt,
    host: Annotated[str, typer.Option(help="Address to bind. Loopback by default; any other address needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    token: Annotated[Optional[str], typer.Option(envvar="BONESEARCH_TOKEN", show_envvar=True, help="Access token every API call must carry (required off loopback; ≥ 16 characters).")] = None,
    max_upload_mb: Annotated[int, typer.Option(min=1, max=1024, help="Largest image upload accepted, in MiB (413 above).")] = 64,
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
    task: Annotated[str, typer.Option(help="kl-grade | bone-age | mura | fracatlas | grazpedwri | classification | regression.")],
    data: Annotated[Path, typer.Option(help="Labelled training set: <label>/*.png folder, path,label CSV, RSNA bone-age folder, MURA-v1.1/train, or the FracAtlas / GRAZPEDWRI-DX folder.")],
    test: Annotated[Optional[Path], typer.Option(help="Labelled test set in the same layout as --data.")] = None,
    test_fraction: Annotated[Optional[float], typer.Option(help="Without --test: hold out this fraction of --data, chosen by hashed file id.")] = None,
    checkpoint: Annotated[Optional[Path], typer.Option(help="Checkpoint folder of `bonesearch pretrain`.")] = None,
    encoder: Annotated[Optional[list[str]], typer.Option(help="pixels | random | checkpoint; repeat to compare in one table (default: checkpoint).")] = None,
    ks: Annotated[str, typer.Option(help="Neighbour counts (capped by the training items).")] = "10,20,50,100",
    fractions: Annotated[str, typer.Option(help="Shares of the training labels (label efficiency).")] = "0.01,0.1,1",
    seeds: Annotated[int, typer.Option(min=1, help="Label draws per fraction below 1.")] = 3,
    bootstrap: Annotated[int, typer.Option(min=0, help="Bootstrap resamples per 95 % CI (0: none).")] = 1000,
    probe: Annotated[bool, typer.Option("--probe/--no-probe", help="Also run the linear probe.")] = True,
    zero_shot: Annotated[bool, typer.Option("--zero-shot/--no-zero-shot", help="Classification: also classify the test set from French prompts with the checkpoint's text tower.")] = True,
    prompts: Annotated[Optional[str], typer.Option(help='One French prompt per class, e.g. "0=pas de fracture,1=fracture" (default: the task\'s prompts, for kl-grade, mura, fracatlas, grazpedwri).')] = None,
    as_json: JsonOpt = False,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write result.json, table.md and label_efficiency.png here.")] = None,
    cache: Annotated[Optional[Path], typer.Option(help="Embedding cache folder (content hash + encoder fingerprint).")] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 64,
    seed: Annotated[int, typer.Option(help="Seed of the random encoder and of --test-fraction.")] = 0,
    device: DeviceOpt = "auto",
) -> None:
    """kNN (weighted and majority vote, or weighted mean for regression), label efficiency, a linear probe and zero-shot."""
    from bonesearch.downstream import run_eval, train_test
    from bonesearch.downstream.encoders import build_encoders
    from bonesearch.downstream.protocols import EvalConfig
    from bonesearch.downstream.tables import rich_table, write_outputs
    from bonesearch.downstream.zero_shot import parse_prompts

    names = encoder or (["checkpoint"] if checkpoint is not None else [])
    if not names:
        raise BonesearchError("no encoder: pass --checkpoint CKPT, or --encoder pixels (or random with --checkpoint)")
    train, test_set, split = train_test(task, data, test, test_fraction, seed)
    config = EvalConfig(ks=tuple(int(k) for k in _floats(ks, "--ks")), fractions=tuple(_floats(fractions, "--fractions")),
                        seeds=seeds, bootstrap=bootstrap, probe=probe, zero_shot=zero_shot)
    class_prompts = parse_prompts(prompts) if prompts is not None else None
    encoders = build_encoders(names, checkpoint, seed, device, batch_size)
    result = run_eval(task, train, test_set, encoders, config, cache, batch_size, split, class_prompts)
    notes = write_outputs(result, out_dir) if out_dir is not None else []
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        out.print(rich_table(result))
        if out_dir is not None:
            out.print(f"wrote {out_dir / 'result.json'} and {out_dir / 'table.md'}")
    for note in notes:
        err.print(f"[yellow]note:[/] {escape(note)}")


if __name__ == "__main__":
    app()
