"""Train the learned de-identification NER (:mod:`bonesearch.deid.learned`) on synthetic reports.

The corpus comes only from the generators of :mod:`bonesearch.deid.synthetic` (Belgian hospital
reports, French structured exports and scans, letters and consultation notes from France,
Switzerland, Québec and Luxembourg), drawn in turn, seeded. No evaluation set is read, so the
blind sets of ``tests/data`` stay blind for the model too.

The model is spaCy's default NER (a hash-embedding CNN and a transition-based parser) on a
blank French tokenizer: a few megabytes, no word vectors to download, as fast as the spaCy NER
the rules already run.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: the generator modules, each with ``generate(rng, n) -> [{"text", "spans"}]``
GENERATORS = ("belgian", "letters", "structured")


def synthetic_corpus(n: int, seed: int = 0) -> list[dict]:
    """``n`` annotated documents, the generators in turn (a seeded, reproducible draw)."""
    rng = random.Random(f"deid-corpus:{seed}")
    modules = [importlib.import_module(f"bonesearch.deid.synthetic.{name}") for name in GENERATORS]
    per = [n // len(modules) + (i < n % len(modules)) for i in range(len(modules))]
    docs = [doc for module, k in zip(modules, per) for doc in module.generate(rng, k)]
    rng.shuffle(docs)
    return docs


@dataclass
class TrainingRun:
    """What :func:`train_ner` did."""

    documents: int
    entities: int
    dropped_entities: int  # spans that no token boundary fits (kept out of the training docs)
    epochs: int
    losses: list[float]
    seconds: float


def train_ner(docs: list[dict], out_dir: Path, *, epochs: int = 3, seed: int = 0, dropout: float = 0.2,
              on_epoch: Callable[[int, float], None] | None = None) -> TrainingRun:
    """Train a blank French NER on ``docs`` and write it to ``out_dir`` (``nlp.to_disk``)."""
    import spacy
    from spacy.training import Example
    from spacy.util import compounding, fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("fr")
    ner = nlp.add_pipe("ner")
    examples, entities, dropped = [], 0, 0
    for doc in docs:
        predicted = nlp.make_doc(doc["text"])
        spans, taken = [], set()
        for s in sorted(doc["spans"], key=lambda s: s["start"]):
            span = predicted.char_span(s["start"], s["end"], label=s["label"], alignment_mode="expand")
            if span is None or taken & set(range(span.start, span.end)):
                dropped += 1
                continue
            taken.update(range(span.start, span.end))
            spans.append(span)
        entities += len(spans)
        reference = predicted.copy()
        reference.ents = spans
        examples.append(Example(predicted, reference))
    for label in sorted({s["label"] for d in docs for s in d["spans"]}):
        ner.add_label(label)
    optimizer = nlp.initialize(lambda: examples[:500])
    losses_per_epoch = []
    start = time.perf_counter()
    order = random.Random(seed)
    for epoch in range(epochs):
        order.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        losses_per_epoch.append(losses.get("ner", 0.0))
        if on_epoch is not None:
            on_epoch(epoch + 1, losses_per_epoch[-1])
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.meta.update({"name": "bonesearch_deid_ner", "version": "1.0.0",
                     "description": f"bonesearch report de-identification NER: {len(docs)} synthetic documents "
                                    f"({', '.join(GENERATORS)}), {epochs} epochs, seed {seed}"})
    nlp.to_disk(out_dir)
    return TrainingRun(len(docs), entities, dropped, epochs, losses_per_epoch, time.perf_counter() - start)
