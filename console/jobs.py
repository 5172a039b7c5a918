"""The one-screen summaries of the batch jobs: demo archive, ingest, pretrain, index, forget, check."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from console.streams import out

if TYPE_CHECKING:
    from bonesearch.demo.archive import DemoArchiveSummary
    from indexer.build_index import IndexSummary
    from indexer.check import CheckReport
    from indexer.forget import ForgetSummary, PurgeSummary
    from indexer.ingest import IngestSummary
    from pretrain.loop import TrainSummary

LISTED_SKIPS = 10  # skipped files named under the ingest table
LISTED_ORPHANS = 5  # reports without a study named under it


def print_demo_archive_summary(summary: DemoArchiveSummary, out_dir: Path) -> None:
    """What `bonesearch demo-archive` wrote, and the command that ingests it."""
    out.print(
        f"wrote {summary.studies} studies, {summary.images} images ({summary.burned_in_images} flagged "
        f"BurnedInAnnotation=YES, {summary.undeclared_stamp_images} with an undeclared identity stamp), "
        f"{summary.reports} reports, {summary.junk_files} stray non-DICOM/corrupt files for {summary.patients} "
        f"patients to {out_dir} in {summary.seconds:.1f} s"
    )
    out.print(f"  ingest it with: bonesearch ingest {Path(out_dir) / 'export'} --store STORE")


def _reason_counts(count: int, by_reason: dict[str, int]) -> str:
    detail = ", ".join(f"{reason.replace('_', ' ')} {n}" for reason, n in by_reason.items())
    return f"{count} ({detail})" if detail else str(count)


def print_ingest_summary(summary: IngestSummary, store: Path) -> None:
    """The one-screen ingest summary: counts of this run and of the store, then the first skipped files."""
    table = Table(title=f"ingest → {store}", show_header=False, title_justify="left")
    table.add_row("files seen", str(summary.files_seen))
    table.add_row("images ingested", f"{summary.images_ingested} ({summary.images_per_second:.1f} images/s, "
                  f"{summary.files_per_second_per_worker:.1f} files/s per worker × {summary.workers})")
    table.add_row("already in store", str(summary.already_ingested))
    if summary.duplicates:
        table.add_row("copies of stored images",
                      f"{summary.duplicates} (same SOP Instance UID and content; not stored twice)")
    if summary.replaced:
        table.add_row("replaced by a newer version", f"{summary.replaced} (same SOP Instance UID, other content: "
                      f"the file ingested last wins; run `bonesearch index --update`)")
    if summary.forgotten:
        table.add_row("erased on request",
                      f"{summary.forgotten} (images erased by `bonesearch forget`: not ingested again)")
    if summary.text_redacted:
        table.add_row("text blacked out", f"{summary.text_redacted} images (regions the text detector found in the "
                      "stored copy: labels or text the OCR screen did not read)")
    table.add_row("engine", summary.engine)
    table.add_row("excluded (burned-in text)",
                  _reason_counts(len(summary.excluded), summary.problems_by_reason("excluded")))
    table.add_row("skipped (bad input)", _reason_counts(len(summary.skipped), summary.problems_by_reason("skipped")))
    if summary.unmapped:
        table.add_row("header values not in vocabulary",
                      ", ".join(f"{k} {v}" for k, v in sorted(summary.unmapped.items()))
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
        table.add_row("PHI replaced in reports",
                      ", ".join(f"{k} {v}" for k, v in sorted(summary.phi_replacements.items())))
    table.add_row("time", f"{summary.seconds:.1f} s")
    out.print(table)
    _print_ingest_problems(summary)


def _print_ingest_problems(summary: IngestSummary) -> None:
    """The first skipped files and reports without a study, then where the full lists are."""
    listed = ([reason for _, reason in summary.skipped if "is a DICOMDIR" not in reason]
              + [f"{label}: {reason}" for label, reason in summary.reports_skipped])
    for reason in listed[:LISTED_SKIPS]:
        out.print(f"  [yellow]skipped[/] {escape(reason)}")
    if len(listed) > LISTED_SKIPS:
        out.print(f"  … and {len(listed) - LISTED_SKIPS} more")
    orphans = summary.reports.orphans if summary.reports else []
    for label, reason in orphans[:LISTED_ORPHANS]:
        out.print(f"  [yellow]report without a study[/] {escape(label)}: {escape(reason)}")
    if len(orphans) > LISTED_ORPHANS:
        out.print(f"  … and {len(orphans) - LISTED_ORPHANS} more reports without a study "
                  f"(counts by reason in the ingest report)")
    if summary.skipped_list_path:
        out.print(f"  full list with paths (operator only, outside the store): {summary.skipped_list_path}")
    if summary.report_path:
        out.print(f"  ingest report (counts, reasons, throughput; no paths): {summary.report_path}")


def print_train_summary(summary: TrainSummary) -> None:
    """The one-screen pretraining summary: steps, speed, held-out retrieval, checkpoint."""
    resumed = f" (resumed at step {summary.resumed_from})" if summary.resumed_from is not None else ""
    ranks = f" × {summary.world_size} processes" if summary.world_size > 1 else ""
    out.print(
        f"pretrained {summary.steps} steps{resumed} ({summary.epochs_done:.1f} epochs) on {summary.train_studies} "
        f"studies in {summary.seconds:.1f} s{ranks} — {summary.pairs_per_second:.1f} pairs/s, "
        f"final loss {summary.final_loss:.3f}"
    )
    if summary.retrieval:
        r = summary.retrieval
        kept = (f"best of {summary.validations} validations, step {summary.best_step}" if summary.validations > 1
                else "final model")
        out.print(
            f"held-out ({summary.held_out_studies} studies, {kept}): image→report R@1/5/10 "
            f"{r['image_to_text_R@1']:.2f}/{r['image_to_text_R@5']:.2f}/{r['image_to_text_R@10']:.2f}, "
            f"report→image R@1/5/10 "
            f"{r['text_to_image_R@1']:.2f}/{r['text_to_image_R@5']:.2f}/{r['text_to_image_R@10']:.2f}, "
            f"median rank {r['image_to_text_median_rank']:.0f}/{r['text_to_image_median_rank']:.0f}"
        )
    if summary.stopped_early:
        out.print("stopped early: no validation improvement within --early-stop validations")
    out.print(f"checkpoint: {summary.checkpoint}")


def print_interrupted_training(out_dir: Path) -> None:
    """Where a Ctrl-C'd pretraining can be continued from."""
    out.print(f"[yellow]interrupted[/]: the resume point is in {out_dir / 'last'}; "
              f"continue with the same command and --resume")


def print_index_summary(summary: IndexSummary) -> None:
    """What `bonesearch index` embedded and what the indexes now hold."""
    what = "updated" if summary.updated else "built"
    out.print(
        f"{what} indexes with model {summary.model_fingerprint} ({summary.dim}-d): embedded {summary.images} images "
        f"in {summary.seconds:.1f} s — {summary.images_per_second:.1f} images/s "
        f"({summary.embed_images_per_second:.1f} images/s embedding alone), {summary.reports_embedded} reports, "
        f"{summary.studies_computed} study vectors"
    )
    out.print(
        f"  images {summary.images_total} vectors ({summary.factory}), studies {summary.studies_total}, "
        f"reports {summary.reports_total}" + (f"; {summary.removed} stale vectors removed" if summary.removed else "")
        + f" → {summary.index_path.parent}" + ("" if summary.written else " (nothing new: unchanged)")
    )
    out.print(f"  lexical report index: {summary.lexical_total} reports"
              + (f" ({summary.lexical_added} added" + (f", {summary.lexical_removed} purged" if summary.lexical_removed
                                                        else "") + ")" if summary.lexical_added or
                 summary.lexical_removed else ""))
    out.print(f"  engine: {summary.engine}")
    if summary.retried_images:
        out.print(f"  [yellow]{summary.retried_images} images[/] were embedded again on this machine after their Ray "
                  f"workers failed")


def print_forget_summary(summary: ForgetSummary, patient: str | None, study: str | None) -> None:
    """What `bonesearch forget` erased (or that it finished an interrupted erasure)."""
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
    out.print(f"  report keys destroyed: {summary.keys} (their text can no longer be decrypted); vectors removed: "
              f"{vectors}; reports purged from the lexical index: {summary.lexical}; cached pixel files deleted: "
              f"{summary.pixel_files}")
    if summary.purged:
        out.print("  database rewritten: no byte of the erased rows is left in it")
    else:
        out.print(f"  [yellow]database rewrite pending[/] ({summary.pending_purges} erasure(s)): until it runs, the erased "
                  f"rows' sealed text and pseudonymous metadata stay in the file's free space; run "
                  f"`bonesearch forget --store STORE --purge` (e.g. nightly)")


def print_purge_summary(summary: PurgeSummary) -> None:
    """What `bonesearch forget --purge` did."""
    since = f" (the oldest from {summary.since})" if summary.since else ""
    out.print(f"database rewritten: the rows of {summary.erasures} erasure(s){since} are gone from its file; "
              f"{summary.orphan_keys} keys of no report deleted")


def print_check_report(report: CheckReport, store: Path) -> None:
    """`bonesearch check`'s verdict: the counts, and each problem with its fix."""
    for note in report.notes:
        out.print(f"[yellow]note[/]: {escape(note)}")
    counts = ", ".join(f"{name} {n}" for name, n in report.counts.items())
    if report.ok:
        out.print(f"store consistent: {counts}")
        return
    out.print(f"[bold red]{len(report.problems)} problem(s)[/] in {store} ({counts}):")
    for problem in report.problems:
        out.print(f"  - {escape(problem.what)}\n    fix: {escape(problem.fix)}")
