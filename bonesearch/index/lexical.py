"""The lexical index of the de-identified report text: Tantivy, French stemming, negation aware.

One Tantivy document per report (``STORE/index/lexical/``), three text fields analysed the
same way (simple tokens, lower case, accents folded, French stop words out, Snowball French
stemmer: « fractures déplacées » → ``fractur deplace``):

* ``text`` — the whole de-identified report (indication, technique: where the body part is);
* ``affirmed`` — the affirmed words of the findings and conclusion;
* ``negated`` — their negated words (:mod:`bonesearch.reports.mentions`): « pas de fracture »
  puts ``fractur`` here, not in ``affirmed``. Hypothetical words (« suspicion de … ») are in
  neither.

A query (:class:`bonesearch.search.query_text.QueryTerms`) is never parsed as Tantivy
syntax: its words go through the same analyser and become term queries, so quotes,
``AND``/``OR``, ``+``/``-``, ``field:`` or ``*`` in a query are plain words. An affirmed query
word matches ``text`` and, boosted, ``affirmed``. A negated one that reports often deny (a
finding: « fracture ») matches ``negated`` and excludes reports that affirm it; the other
words of the negated phrase (« du poignet ») count as affirmed ones. So « fracture » ranks
real fractures above « pas de fracture », and « pas de fracture du poignet » returns wrists
whose report denies a fracture. A query word the reports never use stands for the words it
abbreviates (« calca » → calcanéum) or, failing that, the nearest within one or two edits
(:meth:`LexicalIndex.resolve`).

Erasure: Tantivy deletes only mark documents; their terms stay in the segment files until a
merge (which the Python binding cannot ask for). The index is therefore split into shards
(a report in the shard of its patient, about :data:`SHARD_REPORTS` reports each), and
:meth:`LexicalIndex.purge` rewrites only the shards that held the erased reports (one for a
patient), from the
stored fields of the others, and swaps each in by renames: no file keeps an erased
patient's words. A query searches every shard and merges the hits by score.
"""

from __future__ import annotations

import heapq
import json
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bonesearch.errors import IndexDamaged
from bonesearch.word_match import edit_distance

LEXICAL_DIR = "lexical"
LAYOUT_FILE = "lexical.json"  # {"shards": N}: the shard count, fixed when the index is built
SHARD_REPORTS = 16_384  # a full build aims at about this many reports per shard (a purge rewrites one) ...
MAX_SHARDS = 64  # ... with at most this many shards (a query searches every one)
ANALYZER = "fr_folded"
TEXT_FIELDS = ("text", "affirmed", "negated")
WRITER_HEAP = 64_000_000  # bytes of the single indexing thread's buffer
PURGE_THREADS = 2  # an erasure's shard rewrite indexes on two threads (what a user waits for: 0.45 → 0.3 s at 12 k reports)
#: how much more a word counts in its report's affirmed (or negated) part than in its whole text
STATUS_BOOST = 2.0
#: how much more a finding word (« arthrose », from the findings list) counts than a place word when a
#: report affirms it: « arthrose des doigts » asks for arthrosis first, then fingers
FINDING_BOOST = 3.0
#: a negated query word not in the findings list is a denied finding when at least this share of the
#: reports naming it deny it
NEGATABLE_SHARE = 0.5
#: a query word the reports never use (an abbreviation, a typo) is looked up from this many letters; its
#: stand-ins (at most MAX_RESOLVED) share this weight
MIN_RESOLVED, MAX_RESOLVED, RESOLVED_BOOST = 4, 3, 0.8
#: an allowed-report filter up to this many ids runs inside Tantivy; above it, results are filtered after
TERM_SET_LIMIT = 50_000


@dataclass(frozen=True)
class LexicalDoc:
    """What the lexical index holds of one report."""

    report_id: int
    text: str
    affirmed: str
    negated: str
    shard_key: int | None = None  # which shard (key % shards): the patient's, so that erasing a patient
    # rewrites one shard; None: the report id


def _analyzer():
    from tantivy import Filter, TextAnalyzerBuilder, Tokenizer

    return (TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.remove_long(40)).filter(Filter.lowercase())
            .filter(Filter.ascii_fold()).filter(Filter.stopword("french")).filter(Filter.stemmer("french")).build())


def analyse(text: str) -> list[str]:
    """``text`` as the index's terms (folded, stemmed, stop words out), in order."""
    return list(_ANALYZER.analyze(text)) if text else []


class _Lazy:
    """The analyser, built on first use (importing tantivy is kept off the CLI's start-up)."""

    def __init__(self) -> None:
        self._value = None

    def analyze(self, text: str) -> list[str]:
        if self._value is None:
            self._value = _analyzer()
        return self._value.analyze(text)


_ANALYZER = _Lazy()


def _schema():
    from tantivy import SchemaBuilder

    builder = SchemaBuilder()
    builder.add_unsigned_field("report_id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name=ANALYZER, index_option="freq")
    return builder.build()


class _Searchers:
    """The searchers of every shard, answering as one index: document frequencies summed, term
    lists merged, hits merged by score (hash-sharded reports: the shards' statistics are alike)."""

    def __init__(self, indexes: list) -> None:
        self.searchers = [index.searcher() for index in indexes]

    @property
    def num_docs(self) -> int:
        return sum(s.num_docs for s in self.searchers)

    def doc_freq(self, field: str, term: str) -> int:
        return sum(s.doc_freq(field, term) for s in self.searchers)

    def terms_with_prefix(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for searcher in self.searchers:
            for term, n in searcher.terms_with_prefix(field, prefix, limit=limit):
                counts[term] = counts.get(term, 0) + n
        return sorted(counts.items(), key=lambda tn: (-tn[1], tn[0]))[:limit]

    def ranked(self, query, limit: int) -> list[tuple[int, float]]:
        """(report id, score) of the best ``limit`` documents of all shards for ``query``."""
        ranked = []
        for searcher in self.searchers:
            hits = searcher.search(query, limit=limit, count=False).hits
            ids = searcher.fast_field_values("report_id", [a for _, a in hits])
            ranked += [(int(i), float(score)) for (score, _), i in zip(hits, ids)]
        return heapq.nlargest(limit, ranked, key=lambda hit: hit[1])


class LexicalIndex:
    """A store's report text index: Tantivy indexes in ``directory/shard-NNN``, a report in the
    shard of its patient (:attr:`LexicalDoc.shard_key`), so that erasing a patient rewrites one
    shard (:meth:`purge`)."""

    def __init__(self, directory: Path, shards: list, schema, findings: frozenset[str] = frozenset()) -> None:
        self.directory, self.shards, self.schema = directory, shards, schema  # shards: Tantivy indexes
        self.findings = findings  # analysed words that name a finding (what a report can deny)

    @staticmethod
    def shards_for(reports: int) -> int:
        """How many shards a full build of ``reports`` reports gets: about :data:`SHARD_REPORTS`
        each (a purge rewrites one), a power of two, at most :data:`MAX_SHARDS` (a query searches all)."""
        wanted = max(1, -(-int(reports) // SHARD_REPORTS))
        return min(MAX_SHARDS, 1 << (wanted - 1).bit_length())

    @classmethod
    def create(cls, directory: Path, shards: int = 1) -> "LexicalIndex":
        """A new, empty index of ``shards`` shards in ``directory`` (whatever was there is removed)."""
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        indexes = [_new_shard(directory / _shard_name(n)) for n in range(shards)]
        (directory / LAYOUT_FILE).write_text(json.dumps({"shards": shards, "version": 1}), encoding="utf-8")
        return cls(directory, indexes, indexes[0].schema)

    @classmethod
    def open(cls, directory: Path, findings: frozenset[str] = frozenset()) -> "LexicalIndex | None":
        """The index in ``directory``, or None when there is none (a store indexed before it existed);
        ``findings``: analysed words that name a finding (:meth:`_negatable`)."""
        layout = directory / LAYOUT_FILE
        if not layout.is_file():
            return None
        damaged = (f"the lexical index in {directory} is damaged ({{}}): rebuild it with "
                   f"`bonesearch index --store STORE --checkpoint CKPT` (without --update)")
        try:
            shards = int(json.loads(layout.read_text(encoding="utf-8"))["shards"])
        except (OSError, ValueError, KeyError, TypeError):
            raise IndexDamaged(damaged.format(f"{LAYOUT_FILE} is unreadable or has no shard count")) from None
        if not 1 <= shards <= MAX_SHARDS:
            raise IndexDamaged(damaged.format(f"{LAYOUT_FILE} gives {shards} shards, not 1 to {MAX_SHARDS}"))
        indexes = []
        for n in range(shards):
            try:
                _recover_swap(directory / _shard_name(n))
                indexes.append(_open_shard(directory / _shard_name(n)))
            except (OSError, ValueError):  # Tantivy's message may quote a file: not shown
                raise IndexDamaged(damaged.format(f"shard {n} cannot be opened")) from None
        return cls(directory, indexes, indexes[0].schema, findings)

    def _shard_of(self, key: int) -> int:
        return int(key) % len(self.shards)

    # -------------------------------------------------------------- writing
    def add(self, docs: Iterable[LexicalDoc], replace: bool = True) -> int:
        """Add ``docs`` (replacing documents of the same report ids when ``replace``) and commit."""
        if replace:  # a report's old document may sit in another shard (its patient's): delete first
            docs = list(docs)
            self.delete([doc.report_id for doc in docs])
        writers: dict[int, object] = {}
        added = 0
        for doc in docs:
            shard = self._shard_of(doc.report_id if doc.shard_key is None else doc.shard_key)
            writer = writers.get(shard)
            if writer is None:
                writer = writers[shard] = self.shards[shard].writer(heap_size=WRITER_HEAP, num_threads=1)
            writer.add_document(_document(doc))
            added += 1
        for shard, writer in writers.items():
            writer.commit()
            writer.wait_merging_threads()
            self.shards[shard].reload()
        return added

    def delete(self, report_ids: Iterable[int]) -> int:
        """Mark the documents of ``report_ids`` deleted (their words stay on disk until :meth:`purge`)."""
        from tantivy import Query

        before = self.count()
        for shard, ids in self._by_shard(report_ids).items():
            writer = self.shards[shard].writer(heap_size=WRITER_HEAP, num_threads=1)
            writer.delete_documents_by_query(Query.term_set_query(self.schema, "report_id", ids))
            writer.commit()
            writer.wait_merging_threads()
            self.shards[shard].reload()
        return before - self.count()

    def purge(self, report_ids: Iterable[int]) -> int:
        """Rewrite the shards holding ``report_ids`` without them (nothing of theirs left in any
        file); returns how many documents went. Each new shard is built beside the old one and
        swapped in by renames."""
        removed = 0
        for shard, ids in self._by_shard(report_ids).items():
            gone = set(ids)
            directory = self.directory / _shard_name(shard)
            kept = [doc for doc in _documents(self.shards[shard]) if doc.report_id not in gone]
            dropped = int(self.shards[shard].searcher().num_docs) - len(kept)
            if not dropped:
                continue
            fresh_dir = directory.with_name(directory.name + ".new")
            fresh = _new_shard(fresh_dir)
            _write(fresh, kept, threads=PURGE_THREADS)
            old = directory.with_name(directory.name + ".old")
            if old.exists():
                shutil.rmtree(old)
            directory.rename(old)
            fresh_dir.rename(directory)
            shutil.rmtree(old)
            self.shards[shard] = _open_shard(directory)
            removed += dropped
        return removed

    def _by_shard(self, report_ids: Iterable[int]) -> dict[int, list[int]]:
        """The shards that hold some of ``report_ids``, with those they hold (a report's shard follows
        its patient, not its id: each shard is asked)."""
        from tantivy import Query

        ids = sorted({int(i) for i in report_ids})
        groups: dict[int, list[int]] = {}
        if not ids:
            return groups
        query = Query.term_set_query(self.schema, "report_id", ids)
        for shard, index in enumerate(self.shards):
            searcher = index.searcher()
            hits = searcher.search(query, limit=len(ids), count=False).hits
            held = searcher.fast_field_values("report_id", [a for _, a in hits])
            if held:
                groups[shard] = [int(i) for i in held]
        return groups

    # -------------------------------------------------------------- reading
    def count(self) -> int:
        """Live documents."""
        return sum(int(index.searcher().num_docs) for index in self.shards)

    def documents(self) -> Iterator[LexicalDoc]:
        """Every live document, from the stored fields."""
        for index in self.shards:
            yield from _documents(index)

    def report_ids(self) -> np.ndarray:
        """The report ids of the live documents, sorted."""
        from tantivy import Query

        ids = []
        for index in self.shards:
            searcher = index.searcher()
            total = searcher.num_docs
            if total:
                hits = searcher.search(Query.all_query(), limit=total, count=False).hits
                ids += searcher.fast_field_values("report_id", [a for _, a in hits])
        return np.sort(np.array(ids, dtype=np.int64))

    def doc_freq(self, field: str, term: str) -> int:
        """Reports whose ``field`` holds the analysed ``term``."""
        return _Searchers(self.shards).doc_freq(field, term)

    def search(self, affirmed: list[str], negated: list[str], depth: int,
               allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(report id, score) of the best ``depth`` reports for analysed query terms, best first.

        ``affirmed``/``negated``: terms (:func:`analyse`) the query asserts or denies. ``allowed``
        restricts the reports (None: all)."""
        from tantivy import Occur, Query

        clauses, excluded = [], []
        searcher = _Searchers(self.shards)
        denied = [t for t in dict.fromkeys(negated) if self._negatable(searcher, t)]
        for term in denied:  # « pas de fracture »: reports that deny it, never ones that affirm it
            clauses.append(Query.boost_query(Query.term_query(self.schema, "negated", term), STATUS_BOOST))
            excluded.append(Query.term_query(self.schema, "affirmed", term))
        # the other words of a negated phrase (« du poignet ») say where, not what is denied
        rest = list(dict.fromkeys(list(affirmed) + [t for t in negated if t not in denied]))
        for term in affirmed:  # « fracture »: not the reports that only deny one
            if self._negatable(searcher, term):
                excluded.append(self._denied_only(term))
        for typed in rest:
            known = self.resolve(searcher, typed)
            for term in known:
                boost = 1.0 if term == typed else RESOLVED_BOOST / len(known)
                clauses.append(Query.boost_query(Query.term_query(self.schema, "text", term), boost))
                finding = FINDING_BOOST if term in self.findings else 1.0
                clauses.append(Query.boost_query(Query.term_query(self.schema, "affirmed", term),
                                                 boost * STATUS_BOOST * finding))
        if not clauses or not searcher.num_docs:
            return []
        query = Query.boolean_query([(Occur.Should, c) for c in clauses] + [(Occur.MustNot, c) for c in excluded])
        limit = depth
        post_filter = None
        if allowed is not None:
            if not len(allowed):
                return []
            if len(allowed) <= TERM_SET_LIMIT:
                ids = Query.term_set_query(self.schema, "report_id", [int(i) for i in allowed])
                query = Query.boolean_query([(Occur.Must, query), (Occur.Must, ids)])
            else:
                post_filter, limit = set(int(i) for i in allowed), depth * 8
        ranked = searcher.ranked(query, limit)
        if post_filter is not None:
            ranked = [(i, s) for i, s in ranked if i in post_filter]
        return ranked[:depth]

    def resolve(self, searcher, term: str) -> list[str]:
        """The index's words for a query word: itself when reports use it; else the words it abbreviates
        (« calca » → calcaneum, calcaneus; « olecr » → olecran), or failing that the words one edit away
        (two for words of 8 letters or more: « coxartros » → coxarthros), most frequent first."""
        if searcher.doc_freq("text", term) > 0 or len(term) < MIN_RESOLVED:
            return [term] if searcher.doc_freq("text", term) > 0 else []
        candidates = searcher.terms_with_prefix("text", term[:2], limit=5_000)
        completions = [t for t, _ in candidates if t.startswith(term)]
        if completions:
            return completions[:MAX_RESOLVED]
        limit = 2 if len(term) >= 8 else 1
        scored = [(edit_distance(term, t, limit, swaps=True), -n, t) for t, n in candidates]
        best = sorted(x for x in scored if x[0] <= limit)
        return [t for d, _, t in best if d == best[0][0]][:MAX_RESOLVED] if best else []

    def contradicting(self, affirmed: list[str], negated: list[str], report_ids: Iterable[int]) -> set[int]:
        """Those of ``report_ids`` whose report contradicts the query: it only denies a finding
        the query asserts (« pas de fracture » for « fracture »), or asserts one it denies."""
        from tantivy import Occur, Query

        ids = [int(i) for i in report_ids]
        searcher = _Searchers(self.shards)
        clauses = [self._denied_only(t) for t in dict.fromkeys(affirmed) if self._negatable(searcher, t)]
        clauses += [Query.term_query(self.schema, "affirmed", t) for t in dict.fromkeys(negated)
                    if self._negatable(searcher, t)]
        if not ids or not clauses:
            return set()
        query = Query.boolean_query([(Occur.Must, Query.term_set_query(self.schema, "report_id", ids)),
                                     (Occur.Must, Query.boolean_query([(Occur.Should, c) for c in clauses]))])
        return {i for i, _ in searcher.ranked(query, len(ids))}

    def affirming(self, terms: Iterable[str], report_ids: Iterable[int]) -> set[int]:
        """Those of ``report_ids`` whose report affirms any of the analysed ``terms``."""
        from tantivy import Occur, Query

        ids, terms = [int(i) for i in report_ids], list(dict.fromkeys(terms))
        if not ids or not terms:
            return set()
        query = Query.boolean_query([(Occur.Must, Query.term_set_query(self.schema, "report_id", ids)),
                                     (Occur.Must, Query.term_set_query(self.schema, "affirmed", terms))])
        return {i for i, _ in _Searchers(self.shards).ranked(query, len(ids))}

    def _denied_only(self, term: str):
        """Reports that deny ``term`` and never affirm it."""
        from tantivy import Occur, Query

        return Query.boolean_query([(Occur.Must, Query.term_query(self.schema, "negated", term)),
                                    (Occur.MustNot, Query.term_query(self.schema, "affirmed", term))])

    def _negatable(self, searcher, term: str) -> bool:
        """Whether ``term`` names a finding, which a report can deny (« fracture », « luxation »),
        rather than a place (« poignet »), which a negation's scope also covers: it is in
        ``findings``, or at least :data:`NEGATABLE_SHARE` of the reports that name it deny it."""
        if term in self.findings:
            return True
        named = searcher.doc_freq("text", term)
        return named > 0 and searcher.doc_freq("negated", term) >= NEGATABLE_SHARE * named

        return Query.term_query(self.schema, "report_id", int(report_id))


def _shard_name(n: int) -> str:
    return f"shard-{n:03d}"


def _new_shard(directory: Path):
    """An empty Tantivy index in ``directory`` (created), with the French analyser registered."""
    from tantivy import Index

    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    index = Index(_schema(), path=str(directory))
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


def _open_shard(directory: Path):
    from tantivy import Index

    index = Index.open(str(directory))
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


def _documents(index) -> Iterator[LexicalDoc]:
    """The live documents of one shard, from its stored fields."""
    from tantivy import Query

    searcher = index.searcher()
    total = searcher.num_docs
    if not total:
        return
    for _, address in searcher.search(Query.all_query(), limit=total, count=False).hits:
        stored = searcher.doc(address)
        yield LexicalDoc(int(stored["report_id"][0]), *((stored.get_first(n) or "") for n in TEXT_FIELDS))


def _document(doc: LexicalDoc):
    """The Tantivy document of a report."""
    from tantivy import Document

    document = Document()
    document.add_unsigned("report_id", int(doc.report_id))
    for name in TEXT_FIELDS:
        document.add_text(name, getattr(doc, name) or "")
    return document


def _write(index, docs: list[LexicalDoc], threads: int = 1) -> None:
    """Add ``docs`` to a fresh shard and commit (``threads`` indexing threads, a segment each)."""
    writer = index.writer(heap_size=WRITER_HEAP * threads, num_threads=threads)
    for doc in docs:
        writer.add_document(_document(doc))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()


def _recover_swap(directory: Path) -> None:
    """Finish a :meth:`LexicalIndex.purge` interrupted between its two renames."""
    old = directory.with_name(directory.name + ".old")
    fresh = directory.with_name(directory.name + ".new")
    if not directory.exists() and fresh.is_dir() and (fresh / "meta.json").is_file():
        fresh.rename(directory)
    if directory.exists() and old.exists():
        shutil.rmtree(old)
