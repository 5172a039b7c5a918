"""`bonesearch demo`: the whole pipeline on a fresh demo archive, then P@10 of French queries.

archive (fictional export) → ingest (de-identified store) → pretrain (CLIP on the store's
pairs) → index (FAISS) → evaluate (text→image retrieval on the held-out studies). Same seed,
same archive, same key, same split: runs are reproducible up to the training's time budget.

The command line builds its options from :class:`DemoConfig`, so this module imports the
packages of the stages inside :func:`run_demo` only (reading the options stays fast).
"""

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bonesearch.errors import BonesearchError
from pretrain.config import option

if TYPE_CHECKING:
    from bonesearch.demo.archive import DemoArchiveSummary
    from bonesearch.downstream.retrieval import RetrievalReport
    from bonesearch.search.hits import Hit
    from indexer.build_index import IndexSummary
    from indexer.ingest import IngestSummary
    from pretrain.loop import TrainSummary

#: What a demo folder holds: an earlier demo's folder is replaced, any other refused.
DEMO_ENTRIES = {"archive", "store", "run", "store.key.json", "store.ingest-skipped.csv"}
EXAMPLE_QUERY, EXAMPLE_K = "fracture du radius distal", 5


@dataclass
class DemoConfig:
    """The demo's settings (each is an option of `bonesearch demo`)."""

    studies: int = option(600, "Studies in the demo archive.", min=20)
    seed: int = option(0, "Random seed of the archive, its pseudonymisation key and the training.")
    model: str = option("small", "Architecture to pretrain.")
    epochs: int = option(60, "Passes over the training studies.", min=1)
    minutes: float = option(4.5, "Time budget for pretraining (minutes).")
    device: str = option("auto", "auto (CUDA when present), cpu, cuda, cuda:N.")


@dataclass
class DemoSummary:
    """What each stage produced, filled in stage by stage; ``seconds`` holds each finished stage's time."""

    directory: Path
    archive: "DemoArchiveSummary | None" = None
    ingest: "IngestSummary | None" = None
    train: "TrainSummary | None" = None
    index: "IndexSummary | None" = None
    example: "list[Hit]" = field(default_factory=list)  # the top EXAMPLE_K images for EXAMPLE_QUERY
    retrieval: "RetrievalReport | None" = None  # P@10 per query class on the held-out studies (default search)
    retrieval_image: "RetrievalReport | None" = None  # the same with the image index alone
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def store(self) -> Path:
        return self.directory / "store"

    @property
    def archive_dir(self) -> Path:
        return self.directory / "archive"


def clear_demo_directory(directory: Path) -> None:
    """Remove an earlier demo's folder; refuse to touch a folder that holds anything else."""
    if not directory.exists():
        return
    foreign = sorted(p.name for p in directory.iterdir() if p.name not in DEMO_ENTRIES)
    if foreign:
        raise BonesearchError(
            f"{directory} holds files that are not a bonesearch demo ({', '.join(foreign[:3])}…): "
            f"pass an empty or new folder to `bonesearch demo`"
        )
    shutil.rmtree(directory)


def _unreported(stage: str, summary: DemoSummary) -> None:
    """The default ``on_stage``: nothing shown between stages."""


def run_demo(directory: Path, config: DemoConfig,
             on_stage: Callable[[str, DemoSummary], None] = _unreported) -> DemoSummary:
    """Run the five stages in ``directory`` (replacing an earlier demo there).

    ``on_stage(name, summary)`` is called after each of the first four stages (archive,
    ingest, pretrain, index) with the summary so far, so that a caller can show progress.
    """
    from bonesearch.deid.key import PseudonymKey, default_key_path
    from bonesearch.demo.archive import write_demo_archive
    from bonesearch.downstream.retrieval import evaluate_text_retrieval
    from bonesearch.progress import progress_bar
    from bonesearch.search.engine import SearchEngine
    from pipelines.jobs import index_with_progress_bar, ingest_with_progress_bar
    from pretrain.config import TrainConfig
    from pretrain.loop import train_with_progress_bar

    summary = DemoSummary(Path(directory))
    clear_demo_directory(summary.directory)
    store = summary.store

    start = time.perf_counter()
    with progress_bar("1/5 demo archive", config.studies) as advance:
        summary.archive = write_demo_archive(summary.archive_dir, studies=config.studies, seed=config.seed,
                                             progress=lambda done, total: advance(1))
    start = _stage_done(summary, "archive", start, on_stage)

    # fictional data: the demo's key derives from its seed so that runs are reproducible
    # (held-out split included); a real archive gets a random key on its first ingest
    PseudonymKey.for_demo(config.seed).save(default_key_path(store))
    summary.ingest = ingest_with_progress_bar(summary.archive_dir / "export", store, title="2/5 ingest",
                                              workers=os.cpu_count() or 1)
    start = _stage_done(summary, "ingest", start, on_stage)

    train_config = TrainConfig(model=config.model, epochs=config.epochs, max_minutes=config.minutes,
                               seed=config.seed, device=config.device)
    summary.train = train_with_progress_bar(store, summary.directory / "run", train_config)
    start = _stage_done(summary, "pretrain", start, on_stage)

    summary.index = index_with_progress_bar(store, summary.train.checkpoint, device=config.device)
    start = _stage_done(summary, "index", start, on_stage)

    with SearchEngine.open(store) as engine:
        key = PseudonymKey.load(default_key_path(store))
        labels = summary.archive_dir / "labels.csv"
        summary.retrieval = evaluate_text_retrieval(engine, labels, key, train_config.held_out_fraction, seed=0)
        summary.retrieval_image = evaluate_text_retrieval(engine, labels, key, train_config.held_out_fraction,
                                                          seed=0, mode="image")
        summary.example = engine.search_text(EXAMPLE_QUERY, EXAMPLE_K)
    summary.seconds["evaluate"] = time.perf_counter() - start
    return summary


def _stage_done(summary: DemoSummary, stage: str, start: float,
                on_stage: Callable[[str, DemoSummary], None]) -> float:
    """Record the stage's time, tell the caller; returns the next stage's start."""
    summary.seconds[stage] = time.perf_counter() - start
    on_stage(stage, summary)
    return time.perf_counter()
