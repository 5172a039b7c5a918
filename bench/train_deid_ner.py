"""Train the learned de-identification NER on synthetic reports and write it where the package loads it.

Usage::

    python bench/train_deid_ner.py [--docs 12000] [--epochs 3] [--seed 0] [--out bonesearch/deid/data/learned_ner]

Draws ``--docs`` annotated documents from :mod:`bonesearch.deid.synthetic` (no evaluation set
is read), trains :func:`bonesearch.deid.learned_training.train_ner` and prints the loss per epoch,
the documents and entities used and the wall time. Score it with ``bench/deid_eval.py SET
--detector model|union``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from bonesearch.deid.learned import MODEL_DIR
    from bonesearch.deid.learned_training import synthetic_corpus, train_ner

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args()

    start = time.perf_counter()
    docs = synthetic_corpus(args.docs, args.seed)
    words = sum(len(d["text"].split()) for d in docs)
    print(f"corpus: {len(docs)} documents, {words:,} words, {sum(len(d['spans']) for d in docs):,} spans "
          f"({time.perf_counter() - start:.1f} s)", flush=True)
    run = train_ner(docs, args.out, epochs=args.epochs, seed=args.seed,
                    on_epoch=lambda e, loss: print(f"epoch {e}: loss {loss:,.1f} "
                                                   f"({time.perf_counter() - start:.0f} s)", flush=True))
    print(f"trained on {run.documents} documents, {run.entities} entities ({run.dropped_entities} off token "
          f"boundaries dropped), {run.epochs} epochs in {run.seconds:.0f} s → {args.out}")


if __name__ == "__main__":
    main()
