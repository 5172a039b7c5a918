"""Text of PDF reports, without the hospital template's letterhead, footers and page numbers.

Text is extracted page by page with pypdf (pure Python, maintained, BSD). A hospital's
report template repeats lines at the top and bottom of every page and of every report
("CHU … Service d'imagerie", "12 rue …, 59000 Lille — Page 1/2"); they carry no finding
and would teach the text tower nothing, so :func:`remove_template_lines` drops

* page numbers ("Page 1/2", "- 2 -", "1 sur 3"), alone or at the end of a footer line;
* lines at a page edge (first or last :data:`EDGE_LINES` lines) repeated on every page of
  a multi-page report;
* lines at a page edge in at least :data:`FOLDER_SHARE` of the PDFs of a folder (from
  :data:`FOLDER_MIN_DOCS` PDFs on), unless they are a section heading or end like a sentence
  (a conclusion shared by many normal reports is content, not template).

Everything else, including header lines naming the patient, is kept: the de-identifier
reads the whole text later.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

EDGE_LINES = 3  # lines at the top and at the bottom of a page where letterheads and footers live
FOLDER_SHARE = 0.9  # a line at a page edge of this share of a folder's PDFs is template
FOLDER_MIN_DOCS = 3  # below this many PDFs, only per-report repetition is used

_PAGE_NUMBER = re.compile(
    r"[ \t]*(?:[-–—|•][ \t]*)?(?:page|p\.)[ \t]*\d+(?:[ \t]*(?:/|sur|of|de)[ \t]*\d+)?[ \t]*$"
    r"|^[ \t]*(?:-[ \t]*\d+[ \t]*-|\d+[ \t]*(?:/|sur)[ \t]*\d+)[ \t]*$",
    re.IGNORECASE,
)


class PdfTextError(Exception):
    """A PDF whose text cannot be extracted; the message says why and what to do (no file name)."""


@dataclass
class PdfText:
    """One PDF: its pages' text lines."""

    pages: list[list[str]]


def extract_pdf_pages(raw: bytes) -> PdfText:
    """Text lines of each page of the PDF in ``raw``.

    Raises :class:`PdfTextError` for a damaged or password-protected PDF, or one without a
    text layer (a scan).
    """
    import pypdf
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are reported once, as a skip reason
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfTextError("password-protected PDF; export the reports without a password")
        pages = [(page.extract_text() or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
                 for page in reader.pages]
    except FileNotDecryptedError:
        raise PdfTextError("password-protected PDF; export the reports without a password") from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise PdfTextError(f"damaged PDF ({type(exc).__name__}); re-export it from the reporting system") from None
    if not any(line.strip() for page in pages for line in page):
        raise PdfTextError("PDF without a text layer (a scanned page?); export the report as text or run OCR first")
    return PdfText(pages)


def _key(line: str) -> str:
    """How lines are compared: page numbers dropped, whitespace collapsed."""
    return " ".join(_PAGE_NUMBER.sub("", line).split())


def _edges(page: list[str]) -> set[str]:
    lines = [k for k in map(_key, page) if k]
    return set(lines[:EDGE_LINES] + lines[-EDGE_LINES:])


def folder_template(docs: list[PdfText], is_heading: Callable[[str], bool] = lambda line: False) -> set[str]:
    """Lines (as compared by :func:`_key`) at a page edge of ≥ :data:`FOLDER_SHARE` of ``docs``."""
    if len(docs) < FOLDER_MIN_DOCS:
        return set()
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(set().union(*map(_edges, doc.pages)) if doc.pages else set())
    return {line for line, n in counts.items()
            if n >= FOLDER_SHARE * len(docs) and not line.endswith((".", "!", "?")) and not is_heading(line)}


def remove_template_lines(doc: PdfText, template: set[str] = frozenset()) -> tuple[str, int]:
    """The report's text without page numbers, per-page repeats and ``template`` lines; and how many lines went.

    ``template`` comes from :func:`folder_template` over the PDFs of the same folder.
    """
    drop = set(template)
    if len(doc.pages) > 1:
        drop |= set.intersection(*map(_edges, doc.pages))
    kept, removed = [], 0
    for page in doc.pages:
        for line in page:
            key = _key(line)
            if key in drop or (not key and line.strip()):
                removed += 1
                continue
            kept.append(_PAGE_NUMBER.sub("", line).rstrip() if key else line.rstrip())
    return "\n".join(kept).strip("\n"), removed
