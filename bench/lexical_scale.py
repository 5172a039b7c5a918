"""The lexical report index at archive scale: build rate, query latency, erasure time.

Usage: python bench/lexical_scale.py [--reports 100000] [--distinct 5000] [--queries bench/queries/fr_search_blind.jsonl]

Reports are the demo generator's (``--distinct`` studies' worth, repeated with fresh ids up to
``--reports``: real report wording and length, each id its own document). Prints, against the
issue-16 targets (2-core CPU, one process):

* build: reports/s through the whole lexical step (edsnlp's qualifiers on findings and
  conclusion, then Tantivy), anchor ≥ 2,000 reports/s per core;
* query: p50 / p95 ms of the lexical search of each query of the set (analysis, expansion,
  negation of the query, BM25 top 200, the contradiction check on 200 candidates);
* erasure: seconds to purge one patient's 3 reports (reports are sharded by patient, here three
  consecutive ids; the patient's shard rewritten without them), anchor ≤ 1 s at 100 k studies.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bonesearch.demo.archive import study_report  # noqa: E402
from bonesearch.demo.plan import plan_archive  # noqa: E402
from bonesearch.index.lexical import LexicalDoc, LexicalIndex  # noqa: E402
from bonesearch.reports.mentions import split_many  # noqa: E402
from bonesearch.reports.mentions import _QUALIFIED  # noqa: E402


def mentions_cache_clear() -> None:
    """Forget the sentences qualified while loading the pipeline: each measured one is qualified here."""
    _QUALIFIED.clear()

from bonesearch.reports.sections import parse_sections  # noqa: E402
from bonesearch.search.query_text import finding_terms, query_terms  # noqa: E402


def demo_texts(studies: int) -> list[str]:
    return [study_report(st, 7).text for st in plan_archive(studies, 7)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=5_000)
    parser.add_argument("--queries", type=Path, default=Path(__file__).parent / "queries" / "fr_search_blind.jsonl")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    texts = demo_texts(args.distinct)
    sections = []
    for text in texts:
        parts = parse_sections(text)
        sections.append(" ".join(s for s in (parts.findings, parts.conclusion) if s) or text)
    start = time.perf_counter()
    split_many(sections[:50])  # load the pipeline outside the timing
    load = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        shards = LexicalIndex.shards_for(args.reports)
        index = LexicalIndex.create(Path(tmp) / "lexical", shards)
        mentions_cache_clear()
        start = time.perf_counter()
        qualified = split_many(sections)  # the qualifiers run once per distinct text...
        qualify_s = time.perf_counter() - start
        per_report = qualify_s / len(sections)

        def docs():
            for n in range(args.reports):
                m = qualified[n % len(texts)]
                yield LexicalDoc(n + 1, texts[n % len(texts)], m.affirmed, m.negated, shard_key=(n + 1) // 3)

        start = time.perf_counter()
        index.add(docs(), replace=False)
        tantivy_s = time.perf_counter() - start
        # ... and would run once per report in a real build: count them so
        build_s = tantivy_s + per_report * args.reports
        print(f"distinct sentences qualified by the pipeline: {len(_QUALIFIED)} "
              f"(the rest of {len(sections)} texts' sentences: repeats, or without a negation/hypothesis cue)")
        print(f"build: {args.reports} reports — qualifiers {1 / per_report:.0f} reports/s "
              f"(pipeline load {load:.1f} s), Tantivy {args.reports / tantivy_s:.0f} docs/s; "
              f"whole step {args.reports / build_s:.0f} reports/s on one core (anchor ≥ 2,000: "
              f"ratio {args.reports / build_s / 2000:.2f})")
        index = LexicalIndex.open(Path(tmp) / "lexical", finding_terms())
        queries = [json.loads(line)["query"] for line in args.queries.read_text(encoding="utf-8").splitlines()
                   if line.strip()]
        query_terms(queries[0])
        times = []
        for query in queries:
            start = time.perf_counter()
            terms = query_terms(query)
            hits = index.search(terms.affirmed, terms.negated, 200)
            index.contradicting(terms.affirmed, terms.negated, [i for i, _ in hits])
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p50, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
        print(f"query: {len(queries)} queries over {args.reports} reports — p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"(lexical part of the 30 ms hybrid anchor: ratio {p50 / 30:.2f})")
        start = time.perf_counter()
        removed = index.purge([18, 19, 20])  # one patient's three reports (shard key (id) // 3): one shard
        purge_s = time.perf_counter() - start
        print(f"erasure: purged {removed} reports of {args.reports} ({shards} shards) in {purge_s:.2f} s "
              f"(anchor ≤ 1 s: ratio {purge_s:.2f})")


if __name__ == "__main__":
    main()
