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
merge. :meth:`LexicalIndex.purge` therefore rewrites the index without the erased reports
(from the stored fields of the others) and swaps it in, so no file keeps an erased
patient's words.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LEXICAL_DIR = "lexical"
ANALYZER = "fr_folded"
TEXT_FIELDS = ("text", "affirmed", "negated")
WRITER_HEAP = 64_000_000  # bytes of the single indexing thread's buffer
#: how much more a word counts in its report's affirmed (or negated) part than in its whole text
STATUS_BOOST = 2.0
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


class LexicalIndex:
    """A store's report text index (a Tantivy index in one folder)."""

    def __init__(self, directory: Path, index, schema, findings: frozenset[str] = frozenset()) -> None:
        self.directory, self.index, self.schema = directory, index, schema
        self.findings = findings  # analysed words that name a finding (what a report can deny)

    @classmethod
    def create(cls, directory: Path) -> "LexicalIndex":
        """A new, empty index in ``directory`` (whatever was there is removed)."""
        from tantivy import Index

        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        schema = _schema()
        index = Index(schema, path=str(directory))
        index.register_tokenizer(ANALYZER, _analyzer())
        return cls(directory, index, schema)

    @classmethod
    def open(cls, directory: Path, findings: frozenset[str] = frozenset()) -> "LexicalIndex | None":
        """The index in ``directory``, or None when there is none (a store indexed before it existed);
        ``findings``: analysed words that name a finding (:meth:`_negatable`)."""
        from tantivy import Index

        _recover_swap(directory)
        if not (directory / "meta.json").is_file():
            return None
        index = Index.open(str(directory))
        index.register_tokenizer(ANALYZER, _analyzer())
        return cls(directory, index, index.schema, findings)

    # -------------------------------------------------------------- writing
    def add(self, docs: Iterable[LexicalDoc], replace: bool = True) -> int:
        """Add ``docs`` (replacing documents of the same report ids when ``replace``) and commit."""
        from tantivy import Document

        writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        added = 0
        for doc in docs:
            if replace:
                writer.delete_documents_by_query(self._id_query(doc.report_id))
            document = Document()
            document.add_unsigned("report_id", int(doc.report_id))
            for name in TEXT_FIELDS:
                document.add_text(name, getattr(doc, name) or "")
            writer.add_document(document)
            added += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return added

    def delete(self, report_ids: Iterable[int]) -> int:
        """Mark the documents of ``report_ids`` deleted (their words stay on disk until :meth:`purge`)."""
        ids = [int(i) for i in report_ids]
        if not ids:
            return 0
        from tantivy import Query

        before = self.count()
        writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        writer.delete_documents_by_query(Query.term_set_query(self.schema, "report_id", ids))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return before - self.count()

    def purge(self, report_ids: Iterable[int]) -> int:
        """Rewrite the index without ``report_ids`` (nothing of theirs left in any file); returns how
        many documents went. The new index is built beside the old one and swapped in by renames."""
        gone = {int(i) for i in report_ids}
        if not gone:
            return 0
        kept = [doc for doc in self.documents() if doc.report_id not in gone]
        removed = self.count() - len(kept)
        if not removed:
            return 0
        fresh_dir = self.directory.with_name(self.directory.name + ".new")
        LexicalIndex.create(fresh_dir).add(kept, replace=False)
        old = self.directory.with_name(self.directory.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        self.directory.rename(old)
        fresh_dir.rename(self.directory)
        shutil.rmtree(old)
        reopened = LexicalIndex.open(self.directory, self.findings)
        self.index, self.schema = reopened.index, reopened.schema
        return removed

    # -------------------------------------------------------------- reading
    def count(self) -> int:
        """Live documents."""
        return int(self.index.searcher().num_docs)

    def documents(self) -> Iterator[LexicalDoc]:
        """Every live document, from the stored fields."""
        from tantivy import Query

        searcher = self.index.searcher()
        total = searcher.num_docs
        if not total:
            return
        for _, address in searcher.search(Query.all_query(), limit=total, count=False).hits:
            stored = searcher.doc(address)
            yield LexicalDoc(int(stored["report_id"][0]), *((stored.get_first(n) or "") for n in TEXT_FIELDS))

    def report_ids(self) -> np.ndarray:
        """The report ids of the live documents, sorted."""
        from tantivy import Query

        searcher = self.index.searcher()
        total = searcher.num_docs
        if not total:
            return np.zeros(0, dtype=np.int64)
        hits = searcher.search(Query.all_query(), limit=total, count=False).hits
        return np.sort(np.array(searcher.fast_field_values("report_id", [a for _, a in hits]), dtype=np.int64))

    def known(self, term: str) -> bool:
        """Whether an analysed ``term`` occurs in some report's text."""
        return self.index.searcher().doc_freq("text", term) > 0

    def search(self, affirmed: list[str], negated: list[str], depth: int,
               allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(report id, score) of the best ``depth`` reports for analysed query terms, best first.

        ``affirmed``/``negated``: terms (:func:`analyse`) the query asserts or denies. ``allowed``
        restricts the reports (None: all)."""
        from tantivy import Occur, Query

        clauses, excluded = [], []
        searcher = self.index.searcher()
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
                clauses.append(Query.boost_query(Query.term_query(self.schema, "affirmed", term), boost * STATUS_BOOST))
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
        hits = searcher.search(query, limit=limit, count=False).hits
        ids = searcher.fast_field_values("report_id", [a for _, a in hits])
        ranked = [(int(i), float(s)) for (s, _), i in zip(hits, ids)]
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
        scored = [(edit_distance(term, t, limit), -n, t) for t, n in candidates if abs(len(t) - len(term)) <= limit]
        best = sorted(x for x in scored if x[0] <= limit)
        return [t for d, _, t in best if d == best[0][0]][:MAX_RESOLVED] if best else []

    def contradicting(self, affirmed: list[str], negated: list[str], report_ids: Iterable[int]) -> set[int]:
        """Those of ``report_ids`` whose report contradicts the query: it only denies a finding
        the query asserts (« pas de fracture » for « fracture »), or asserts one it denies."""
        from tantivy import Occur, Query

        ids = [int(i) for i in report_ids]
        searcher = self.index.searcher()
        clauses = [self._denied_only(t) for t in dict.fromkeys(affirmed) if self._negatable(searcher, t)]
        clauses += [Query.term_query(self.schema, "affirmed", t) for t in dict.fromkeys(negated)
                    if self._negatable(searcher, t)]
        if not ids or not clauses:
            return set()
        query = Query.boolean_query([(Occur.Must, Query.term_set_query(self.schema, "report_id", ids)),
                                     (Occur.Must, Query.boolean_query([(Occur.Should, c) for c in clauses]))])
        hits = searcher.search(query, limit=len(ids), count=False).hits
        return {int(i) for i in searcher.fast_field_values("report_id", [a for _, a in hits])}

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

    def _id_query(self, report_id: int):
        from tantivy import Query

        return Query.term_query(self.schema, "report_id", int(report_id))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance of ``a`` and ``b`` (a swap of two letters counts one), or
    ``limit + 1`` as soon as it must exceed ``limit``."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def _recover_swap(directory: Path) -> None:
    """Finish a :meth:`LexicalIndex.purge` interrupted between its two renames."""
    old = directory.with_name(directory.name + ".old")
    fresh = directory.with_name(directory.name + ".new")
    if not directory.exists() and fresh.is_dir() and (fresh / "meta.json").is_file():
        fresh.rename(directory)
    if directory.exists() and old.exists():
        shutil.rmtree(old)
