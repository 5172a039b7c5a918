"""Console views print the counts their summaries hold (they count nothing themselves)."""

from pathlib import Path

from console.jobs import print_ingest_summary
from indexer.ingest import IngestSummary, SkipRecord


def test_ingest_summary_shows_the_problems_by_reason_class(capsys):
    problems = [SkipRecord("h1", "excluded", "burned_in_annotation", "r"),
                SkipRecord("h2", "excluded", "burned_in_annotation", "r"),
                SkipRecord("h3", "excluded", "ocr_text", "r"),
                SkipRecord("h4", "skipped", "not_dicom", "r")]
    summary = IngestSummary(files_seen=12, already_ingested=2, images_ingested=6, seconds=2.0, workers=2,
                            excluded=[("a", "r")] * 3, skipped=[("b", "file [h4] is not a DICOM file")],
                            problems=problems)
    assert summary.problems_by_reason("excluded") == {"burned_in_annotation": 2, "ocr_text": 1}
    assert summary.files_per_second_per_worker == 2.5  # 10 files opened in 2 s by 2 workers
    print_ingest_summary(summary, Path("store"))
    printed = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "excluded (burned-in text) 3 (burned in annotation 2, ocr text 1)" in printed
    assert "skipped (bad input) 1 (not dicom 1)" in printed
    assert "6 (3.0 images/s, 2.5 files/s per worker × 2)" in printed
    assert "skipped file [h4] is not a DICOM file" in printed
