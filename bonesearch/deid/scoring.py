"""Span-level scoring of a report de-identifier against an annotated set.

Gold and predicted records share the ``deid-text`` JSONL shape: ``{"id", "text", "spans":
[{"start", "end", "label"}]}``; gold records may also list ``"keep"`` terms
(``{"start", "end", "term"}``: medical eponyms that must survive). A gold span counts as
*found* when predicted spans of a compatible label cover at least ``min_overlap`` of its
characters (several predicted pieces add up: "Jeanne" + "DUPONT" find "Jeanne DUPONT"); a
predicted span counts as *correct* when gold spans of a compatible label cover at least
``min_overlap`` of it. The label-agnostic "any PHI" score does the same with every label
mixed, since a leaked span matters more than a mislabelled one. A keep term is *redacted*
when any predicted span overlaps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bonesearch.errors import DeidEvalError

#: the evaluation labels of the ingest issue
LABELS = (
    "PATIENT", "STAFF", "DATE", "BIRTHDATE", "AGE", "ID", "PHONE", "EMAIL", "URL",
    "ADDRESS", "CITY", "INSTITUTION",
)
#: span recall each label must reach (ingest issue, acceptance)
TARGET_RECALL = {
    "PATIENT": 0.98, "DATE": 0.98, "BIRTHDATE": 0.98, "ID": 0.97, "PHONE": 0.99, "EMAIL": 0.99,
    "URL": 0.99, "STAFF": 0.95, "AGE": 0.95, "ADDRESS": 0.90, "CITY": 0.90, "INSTITUTION": 0.90,
}
#: at most this fraction of medical eponyms/terms may be redacted
KEEP_REDACTED_CEILING = 0.02
MIN_OVERLAP = 0.5
ANY = "ANY"


@dataclass(frozen=True)
class LabelScore:
    """Counts for one label (or ``ANY``); precision/recall are 0 when undefined."""

    label: str
    gold: int  # gold spans with this label
    found: int  # of which found by a compatible prediction
    predicted: int  # predicted spans with this label
    correct: int  # of which backed by a compatible gold span

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class SpanReport:
    """One gold span missed, one unbacked prediction, or one redacted keep term."""

    record_id: str
    label: str  # the span's label, or the keep term
    start: int
    end: int
    surface: str
    context: str  # the surrounding text with the span in ⟦ ⟧
    other_labels: tuple[str, ...] = ()  # labels of the overlapping spans on the other side


@dataclass
class Score:
    """The result of :func:`score`."""

    labels: dict[str, LabelScore]
    any_phi: LabelScore
    keep_total: int
    keep_redacted: list[SpanReport] = field(default_factory=list)
    misses: list[SpanReport] = field(default_factory=list)
    false_positives: list[SpanReport] = field(default_factory=list)
    records: int = 0

    @property
    def keep_redacted_fraction(self) -> float:
        return len(self.keep_redacted) / self.keep_total if self.keep_total else 0.0


def coverage(start: int, end: int, intervals: Iterable[tuple[int, int]]) -> float:
    """Fraction of the characters of ``[start, end)`` covered by the union of ``intervals``."""
    if end <= start:
        return 0.0
    clipped = sorted((max(s, start), min(e, end)) for s, e in intervals if s < end and e > start)
    covered, reach = 0, start
    for s, e in clipped:
        s = max(s, reach)
        if e > s:
            covered += e - s
            reach = e
    return covered / (end - start)


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    return f"{left}⟦{text[start:end]}⟧{right}".replace("\n", " ⏎ ")


def _spans(record: Mapping, where: str) -> list[tuple[int, int, str]]:
    text = record["text"]
    spans = []
    for span in record.get("spans", []):
        try:
            start, end, label = int(span["start"]), int(span["end"]), str(span["label"])
        except (KeyError, TypeError, ValueError):
            raise DeidEvalError(
                f'{where} record {record.get("id")!r}: span {span!r} needs integer "start", "end" and a "label"'
            ) from None
        if not 0 <= start < end <= len(text):
            raise DeidEvalError(
                f"{where} record {record.get('id')!r}: span {start}-{end} is outside its text "
                f"(length {len(text)}); offsets are character offsets into the input text"
            )
        spans.append((start, end, label))
    return spans


def _index(records: Iterable[Mapping], where: str) -> dict[str, Mapping]:
    indexed: dict[str, Mapping] = {}
    for record in records:
        if "id" not in record or not isinstance(record.get("text"), str):
            raise DeidEvalError(f'{where}: every record needs an "id" and a "text" string')
        key = str(record["id"])
        if key in indexed:
            raise DeidEvalError(f"{where}: id {key!r} appears twice; ids must be unique")
        indexed[key] = record
    return indexed


def _accepts(compatible: Mapping[str, set[str]] | None, gold_label: str, predicted_label: str) -> bool:
    if gold_label == predicted_label:
        return True
    return compatible is not None and predicted_label in compatible.get(gold_label, set())


def score(
    gold_records: Sequence[Mapping],
    predicted_records: Sequence[Mapping],
    *,
    min_overlap: float = MIN_OVERLAP,
    compatible: Mapping[str, set[str]] | None = None,
) -> Score:
    """Score predicted spans against gold spans, per label and label-agnostic.

    ``compatible`` maps a gold label to the other predicted labels that also count as
    finding it (default: only the same label). Every gold id must have a prediction with
    the same text; extra predicted ids are an error too (the wrong file was passed).
    """
    gold, predicted = _index(gold_records, "annotated set"), _index(predicted_records, "predictions")
    missing, extra = sorted(set(gold) - set(predicted)), sorted(set(predicted) - set(gold))
    if missing or extra:
        raise DeidEvalError(
            f"predictions do not match the annotated set: {len(missing)} id(s) without a prediction "
            f"{missing[:5]}, {len(extra)} unknown id(s) {extra[:5]}; run deid-text on the annotated file itself"
        )
    counts: dict[str, list[int]] = {}  # label -> [gold, found, predicted, correct]
    any_counts = [0, 0, 0, 0]
    result = Score(labels={}, any_phi=LabelScore(ANY, 0, 0, 0, 0), keep_total=0, records=len(gold))
    for key, gold_record in gold.items():
        text = gold_record["text"]
        if predicted[key]["text"] != text:
            raise DeidEvalError(
                f"record {key!r}: the predicted text differs from the annotated text, so offsets cannot be "
                f"compared; pass the input text through unchanged in \"text\" (the result goes in \"text_deid\")"
            )
        gold_spans, pred_spans = _spans(gold_record, "annotated set"), _spans(predicted[key], "predictions")
        for start, end, label in gold_spans:
            row = counts.setdefault(label, [0, 0, 0, 0])
            row[0] += 1
            any_counts[0] += 1
            same = [(s, e) for s, e, lab in pred_spans if _accepts(compatible, label, lab)]
            if coverage(start, end, same) >= min_overlap:
                row[1] += 1
            else:
                overlapping = tuple(sorted({lab for s, e, lab in pred_spans if s < end and e > start}))
                result.misses.append(
                    SpanReport(key, label, start, end, text[start:end], _context(text, start, end), overlapping)
                )
            if coverage(start, end, [(s, e) for s, e, _ in pred_spans]) >= min_overlap:
                any_counts[1] += 1
        for start, end, label in pred_spans:
            row = counts.setdefault(label, [0, 0, 0, 0])
            row[2] += 1
            any_counts[2] += 1
            backing = [(s, e) for s, e, lab in gold_spans if _accepts(compatible, lab, label)]
            if coverage(start, end, backing) >= min_overlap:
                row[3] += 1
            else:
                overlapping = tuple(sorted({lab for s, e, lab in gold_spans if s < end and e > start}))
                result.false_positives.append(
                    SpanReport(key, label, start, end, text[start:end], _context(text, start, end), overlapping)
                )
            if coverage(start, end, [(s, e) for s, e, _ in gold_spans]) >= min_overlap:
                any_counts[3] += 1
        for term in gold_record.get("keep", []):
            start, end = int(term["start"]), int(term["end"])
            result.keep_total += 1
            hits = tuple(sorted({lab for s, e, lab in pred_spans if s < end and e > start}))
            if hits:
                result.keep_redacted.append(
                    SpanReport(key, str(term.get("term", text[start:end])), start, end, text[start:end],
                               _context(text, start, end), hits)
                )
    ordered = [lab for lab in LABELS if lab in counts] + sorted(set(counts) - set(LABELS))
    result.labels = {lab: LabelScore(lab, *counts[lab]) for lab in ordered}
    result.any_phi = LabelScore(ANY, *any_counts)
    return result
