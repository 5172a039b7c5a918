"""`bonesearch eval knn`: load a labelled task, build the encoders, run the protocols, write the outputs."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bonesearch.downstream import run_eval, train_test
from bonesearch.downstream.encoders import build_encoders
from bonesearch.downstream.protocols import EvalConfig
from bonesearch.downstream.tables import write_outputs
from bonesearch.errors import BonesearchError


@dataclass
class KnnEvaluation:
    """The result JSON dict of :func:`bonesearch.downstream.run_eval`, and notes for the user."""

    result: dict[str, Any]
    notes: list[str] = field(default_factory=list)  # e.g. that the plot was skipped and why


def evaluate_encoders(task: str, data: Path, config: EvalConfig, *, test: Path | None = None,
                      test_fraction: float | None = None, checkpoint: Path | None = None,
                      encoders: list[str] | None = None, prompts: dict[str, str] | None = None,
                      cache: Path | None = None, batch_size: int = 64, seed: int = 0, device: str = "auto",
                      out_dir: Path | None = None) -> KnnEvaluation:
    """Measure ``encoders`` (default: the checkpoint's) on ``task``; writes the outputs into ``out_dir`` if given."""
    names = encoders or (["checkpoint"] if checkpoint is not None else [])
    if not names:
        raise BonesearchError("no encoder: pass --checkpoint CKPT, or --encoder pixels (or random with --checkpoint)")
    train, test_set, split = train_test(task, data, test, test_fraction, seed)
    built = build_encoders(names, checkpoint, seed, device, batch_size)
    result = run_eval(task, train, test_set, built, config, cache, batch_size, split, prompts)
    notes = write_outputs(result, out_dir) if out_dir is not None else []
    return KnnEvaluation(result, notes)
