"""The indexer's long jobs with a progress bar on stderr (silent when stderr is not a terminal)."""

from pathlib import Path
from typing import Any

from bonesearch.progress import progress_bar
from indexer.build_index import IndexSummary, build_image_index
from indexer.ingest import IngestSummary, ingest_archive


def ingest_with_progress_bar(archive: Path, store: Path, title: str = "ingest", **options: Any) -> IngestSummary:
    """:func:`indexer.ingest.ingest_archive` (``options``: its keyword arguments) under a bar titled ``title``."""
    with progress_bar(title) as bar:
        return ingest_archive(archive, store, advance=bar, on_total=bar.set_total, **options)


def index_with_progress_bar(store: Path, checkpoint: Path, **options: Any) -> IndexSummary:
    """:func:`indexer.build_index.build_image_index` (``options``: its keyword arguments) under a bar."""
    with progress_bar("index (images)") as bar:
        return build_image_index(store, checkpoint, advance=bar, on_total=bar.set_total, **options)
