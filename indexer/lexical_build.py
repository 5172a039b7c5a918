"""The store's lexical index kept in step with its reports (`bonesearch index`, `--update`, `forget`).

Every report of DuckDB has one document in ``STORE/index/lexical`` (:mod:`bonesearch.index.lexical`):
its whole de-identified text, and the affirmed and negated words of its findings and
conclusion (:mod:`bonesearch.reports.mentions`; the whole text when it has neither section).
A full build writes a new index; an update adds the reports the index lacks and purges those
the store no longer holds. The index does not depend on the model: a new checkpoint does not
rebuild it. The qualifiers (the costly part) run in this process, or on a Ray cluster with
``--engine ray`` (:class:`indexer.ray_engine.RayQualifier`); the driver writes the index.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from bonesearch.index.lexical import LEXICAL_DIR, LexicalDoc, LexicalIndex
from bonesearch.reports.mentions import Mentions, split_many

BATCH = 2_000  # reports read, qualified and added per step

#: the qualifiers over a batch of report sections: :func:`split_many` here, or spread over a cluster
Qualify = Callable[[list[str]], list[Mentions]]


@dataclass
class LexicalSummary:
    """What the lexical step did."""

    added: int = 0
    removed: int = 0
    total: int = 0
    seconds: float = 0.0


def lexical_docs(con: duckdb.DuckDBPyConnection, report_ids: np.ndarray, qualify: Qualify = split_many,
                 batch: int = BATCH) -> Iterator[LexicalDoc]:
    """The lexical documents of ``report_ids``, read and qualified ``batch`` at a time."""
    for start in range(0, len(report_ids), batch):
        chunk = [int(i) for i in report_ids[start:start + batch]]
        rows = con.execute("SELECT r.report_id, r.text, r.findings, r.conclusion, s.patient_pseudo FROM reports r "
                           "LEFT JOIN studies s USING (study_id) WHERE r.report_id IN (SELECT unnest(?::BIGINT[])) "
                           "ORDER BY r.report_id", [chunk]).fetchall()
        sections = [" ".join(s for s in (findings, conclusion) if s and s.strip()) or (text or "")
                    for _, text, findings, conclusion, _ in rows]
        for (report_id, text, _, _, patient), mentions in zip(rows, qualify(sections), strict=True):
            key = zlib.crc32(patient.encode()) if patient else None  # a patient's reports share a shard
            yield LexicalDoc(int(report_id), text or "", mentions.affirmed, mentions.negated, key)


def sync_lexical_index(con: duckdb.DuckDBPyConnection, index_dir: Path, rebuild: bool = False,
                       qualify: Qualify = split_many, batch: int = BATCH) -> LexicalSummary:
    """Make ``index_dir/lexical`` hold exactly the store's reports (all of them again when ``rebuild``);
    ``qualify`` runs the qualifiers on ``batch`` reports at a time."""
    start = time.perf_counter()
    directory = index_dir / LEXICAL_DIR
    wanted = np.array([i for (i,) in con.execute("SELECT report_id FROM reports ORDER BY report_id").fetchall()],
                      dtype=np.int64)
    index = None if rebuild else LexicalIndex.open(directory)
    summary = LexicalSummary()
    if index is None:
        index = LexicalIndex.create(directory, LexicalIndex.shards_for(len(wanted)))
        have = np.zeros(0, dtype=np.int64)
    else:
        have = index.report_ids()
        stale = np.setdiff1d(have, wanted)
        summary.removed = index.purge(stale.tolist()) if len(stale) else 0
    new = np.setdiff1d(wanted, have)
    if len(new):
        summary.added = index.add(lexical_docs(con, new, qualify, batch), replace=False)
    summary.total = index.count()
    summary.seconds = time.perf_counter() - start
    return summary


def purge_lexical_reports(index_dir: Path, report_ids: list[int]) -> int:
    """Erase ``report_ids`` from the lexical index, files included (``forget``); 0 without an index."""
    index = LexicalIndex.open(index_dir / LEXICAL_DIR)
    return index.purge(report_ids) if index is not None and report_ids else 0
