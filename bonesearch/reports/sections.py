"""Splitting a French radiology report into Indication, Technique, Findings and Conclusion.

Hospital templates name the same four parts in many ways ("Renseignements cliniques",
"Motif", "Incidences", "Compte rendu", "Analyse", "Interprétation", "Synthèse"…), in
capitals or not, numbered or not, with or without a colon. :func:`parse_sections` maps all
of them to four fields and cleans template debris (dotted leaders, "Page 1/2", rows of
underscores, the sign-off block) so training sees the findings and conclusion only.
Accents are kept; only whitespace is collapsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Section = Literal["indication", "technique", "findings", "conclusion"]

# Headings, written without accents: matched case- and accent-insensitively.
HEADINGS: dict[Section, tuple[str, ...]] = {
    "indication": ("indications?(?: cliniques?)?", "motifs?(?: de l'examen| de la demande| d'examen| de consultation)?",
                   "renseignements? cliniques?(?: fournis)?", "rappel clinique", "contexte(?: clinique)?",
                   "histoire clinique", "antecedents?", "demande", "question posee", "examen demande"),
    "technique": ("techniques?(?: d'examen| utilisee)?", "protocoles?", "incidences?(?: realisees)?", "examen realise",
                  "modalites?"),
    "findings": ("resultats?(?: de l'examen)?", "descriptions?", "comptes?[ -]rendus?", "constatations?",
                 "observations?", "analyse", "commentaires?"),
    "conclusion": ("conclusions?(?: de l'examen)?", "en conclusion", "syntheses?", "avis", "impressions?",
                   "interpretations?"),
}

_ACCENTS = {"a": "aàâä", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "c": "cç"}


def _accent_insensitive(pattern: str) -> str:
    return "".join(f"[{_ACCENTS[ch]}]" if ch in _ACCENTS else ch for ch in pattern)


def _heading_regex() -> re.Pattern[str]:
    groups = []
    for section, alternatives in HEADINGS.items():
        body = "|".join(_accent_insensitive(a).replace(" ", r"\s+").replace("'", "['’]") for a in alternatives)
        groups.append(f"(?P<{section}>{body})")
    names = "|".join(groups)
    # at a line start, after an optional bullet or number ("1.", "II -", "a)"): "Conclusion",
    # "CONCLUSION :", "Résultats -", "Indication clinique :" (up to three qualifying words before
    # the colon); inside a line: "… . Conclusion : …"
    number = r"(?:(?:\d{1,2}|[IVX]{1,4}|[a-e])[ \t]*[.)°\-–][ \t]*)"
    return re.compile(
        rf"(?:(?P<bol>^[ \t]*(?:[-*•#>]+[ \t]*)?{number}?)|(?<=[.;!?)])[ \t]+)(?:{names})"
        rf"(?(bol)(?:(?:[ \t]+[^\W\d_][\w'’\-]*){{0,3}}[ \t]*[:\-–][ \t]*|[ \t]*$)|[ \t]*:[ \t]*)",
        re.IGNORECASE | re.MULTILINE,
    )


_HEADING = _heading_regex()
HEADING_PATTERN = _HEADING  # public: where sections start (readers look for header fields before it)


def is_heading_line(line: str) -> bool:
    """Whether ``line`` starts with a section heading ("Conclusion :", "2. RÉSULTATS", "Technique")."""
    return bool(_HEADING.match(line))


@dataclass
class ReportSections:
    """A report split at its headings; text before the first heading (headers) and the sign-off are ``other``."""

    indication: str = ""
    technique: str = ""
    findings: str = ""
    conclusion: str = ""
    other: str = ""


# ---- template debris ------------------------------------------------------------------------

#: Lines that are pure layout: "Page 1/2", "- 2 -", rows of underscores, dashes, equals or stars.
_LAYOUT_LINE = re.compile(
    r"^[ \t]*(?:page[ \t]*\d+(?:[ \t]*(?:/|sur|of)[ \t]*\d+)?|-[ \t]*\d+[ \t]*-|\d+[ \t]*/[ \t]*\d+|[_\-=*~.·•][ \t_\-=*~.·•]{2,})"
    r"[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
#: Dotted or underscored leaders inside a line ("Indication ........ : chute"): become one space.
_LEADER = re.compile(r"[ \t]*(?:\.[ \t]?){4,}|[ \t]*_{3,}[ \t]*|[ \t]*(?:·[ \t]?){3,}")


def clean_template_debris(text: str) -> str:
    """``text`` without layout lines (page numbers, rules) and leaders; line breaks and accents kept."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _LAYOUT_LINE.sub("", text)
    return _LEADER.sub(" ", text)


def _clean(text: str) -> str:
    return " ".join(text.split())


#: Where a report's sign-off footer starts (signature, validation, secretariat, contact lines).
_FOOTER = re.compile(
    r"^[ \t]*(?:compte[ \t]+rendu[ \t]+(?:valid|sign|dict|frapp)|valid[ée]\b|sign[ée]\b|le[ \t]+radiologue|"
    r"radiologue[ \t]*:|secr[ée]tariat|dr\.?[ \t]+\[|docteur[ \t]+\[|pr\.?[ \t]+\[|t[ée]l[ .:]|courriel|e-?mail|"
    r"cordialement|(?:bien[ \t]+)?confraternellement|dict[ée][ \t]+(?:par|le)|frapp[ée][ \t]+(?:par|le)|"
    r"fait[ \t]+(?:à|a)[ \t]+[^\n,]{1,40},[ \t]*le\b|fait[ \t]+le[ \t]+\d|"
    # a signature alone on its line ("Dr Jean MARTIN", "Pr. Lefèvre", "Docteur A. Durand") or followed
    # by its validation ("Dr Jean MARTIN — validé le 12/03/2024", "Dr A. Durand, radiologue")
    r"(?:dr|docteur|pr|professeur)\.?[ \t]+(?-i:(?:[A-ZÀ-Ý][\w'’\-]*\.?[ \t]*){1,4})"
    r"(?:$|[—–,\-][ \t]*(?:valid|sign|dict|radiolog|le[ \t]+\d|\d)))",
    re.IGNORECASE | re.MULTILINE,
)


def _split_footer(text: str) -> tuple[str, str]:
    """(body, footer) of the last section's text: the sign-off lines are not findings."""
    match = _FOOTER.search(text)
    return (text[: match.start()], text[match.start():]) if match else (text, "")


def parse_sections(text: str) -> ReportSections:
    """Split a French report at its headings ("Indication :", "Résultats", "2. CONCLUSION"…).

    Headings are recognised case- and accent-insensitively, with or without a colon,
    numbered or bulleted, alone on their line or inline after a sentence ("… . Conclusion :
    …"). Template debris is dropped first (:func:`clean_template_debris`); the sign-off block
    after the last section ("Dr X", "Compte rendu validé électroniquement…") goes to
    ``other``. Text of a repeated section is joined; whitespace is collapsed.
    """
    text = clean_template_debris(text)
    parts: dict[str, list[str]] = {k: [] for k in ("indication", "technique", "findings", "conclusion", "other")}
    current, pos = "other", 0
    for m in _HEADING.finditer(text):
        parts[current].append(text[pos:m.start()])
        current = next(name for name, value in m.groupdict().items() if value is not None and name != "bol")
        pos = m.end()
    body, footer = _split_footer(text[pos:])
    parts[current].append(body)
    parts["other"].append(footer)
    return ReportSections(**{k: _clean(" ".join(v)) for k, v in parts.items()})


TrainingMode = Literal["findings+conclusion", "full"]


def report_text_for_training(sections: ReportSections, mode: TrainingMode = "findings+conclusion") -> str:
    """The text a text tower trains on.

    ``findings+conclusion`` (default, as in the paper: what the image shows) falls back to
    ``full`` when the report has neither section; ``full`` is every section in reading order.
    """
    full = [sections.other, sections.indication, sections.technique, sections.findings, sections.conclusion]
    if mode == "findings+conclusion":
        chosen = [sections.findings, sections.conclusion]
        if any(chosen):
            return " ".join(p for p in chosen if p)
    elif mode != "full":
        raise ValueError(f"unknown training text mode {mode!r}; use 'findings+conclusion' or 'full'")
    return " ".join(p for p in full if p)


# ---- the text a model sees ----------------------------------------------------------------
#: Which sections of a de-identified report the text tower reads (pretraining and report indexing agree on it).
TEXT_MODES = ("technique+findings+conclusion", "findings+conclusion", "full")
DEFAULT_TEXT_MODE = "technique+findings+conclusion"


def report_training_text(findings: str | None, conclusion: str | None, text: str, mode: str,
                         technique: str | None = None) -> str:
    """The part of a de-identified report the text tower sees (header and sign-off left out)."""
    if mode == "full":
        return text
    parts = (technique, findings, conclusion) if mode == "technique+findings+conclusion" else (findings, conclusion)
    body = " ".join(part.strip() for part in parts if part and part.strip())
    return body or text
