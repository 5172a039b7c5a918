"""The web API's request and response shapes, and how the page's filters become the
search engine's ``where`` condition (:mod:`bonesearch.search.filters` runs it as an exact
filtered search).

Filter values are validated here (a malformed one is a 422 naming the field) and only
then written into SQL: body part, side and sex are restricted to upper-case codes, ages
and dates to numbers and ISO dates, so nothing a client sends is ever parsed as SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "FieldError", "Facets", "Filters", "ImageQuery", "Info", "Limits", "Page", "Result", "ResultPage", "SearchRequest",
    "SimilarRequest", "StudyDetail", "StudyImage", "StudyReport", "where_clause",
]

PER_PAGE_DEFAULT = 24
PER_PAGE_MAX = 100
MAX_RESULTS = 1000  # the deepest result a page may reach (page × per_page)
CODE = r"^[A-Z0-9_]{1,40}$"  # body part codes as the store holds them (WRIST, KNEE…)
STUDY_UID = r"^[0-9.]{1,64}$"  # a pseudonymised study UID (2.25.…)

GroupBy = Literal["image", "study"]


class FieldError(ValueError):
    """A validation message written for the client: it names fields and limits, never a value sent."""


class Filters(BaseModel):
    """Restrict a search to images whose study matches every given field (all optional)."""

    model_config = ConfigDict(extra="forbid")

    body_part: str | None = Field(None, pattern=CODE, description="Body part code, e.g. WRIST, KNEE (see /api/info).")
    laterality: Literal["L", "R", "B"] | None = Field(None, description="Side of the image: L, R or B (both).")
    sex: Literal["F", "M", "O"] | None = Field(None, description="Patient sex as stored: F, M or O.")
    age_min: int | None = Field(None, ge=0, le=120, description="Youngest age at the study, in years (inclusive).")
    age_max: int | None = Field(None, ge=0, le=120, description="Oldest age at the study, in years (inclusive).")
    date_from: date | None = Field(None, description="First study date (shifted dates, as displayed), inclusive.")
    date_to: date | None = Field(None, description="Last study date, inclusive.")

    @model_validator(mode="after")
    def _ordered(self) -> "Filters":
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise FieldError("age_min est supérieur à age_max : inversez-les")
        if self.date_from is not None and self.date_to is not None and self.date_from > self.date_to:
            raise FieldError("date_from est postérieure à date_to : inversez-les")
        return self


class Page(BaseModel):
    """Which slice of the ranking to return."""

    page: int = Field(1, ge=1, description="1-based page number.")
    per_page: int = Field(PER_PAGE_DEFAULT, ge=1, le=PER_PAGE_MAX, description="Results per page.")

    @model_validator(mode="after")
    def _deep_enough(self) -> "Page":
        if self.page * self.per_page > MAX_RESULTS:
            raise FieldError(f"page × per_page dépasse le résultat {MAX_RESULTS} : "
                             f"restreignez la recherche par des filtres")
        return self


class SearchRequest(Page):
    """A French text query."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(..., min_length=1, max_length=500, pattern=r"\S", description="French text, e.g. « fracture du radius distal ».")
    filters: Filters = Field(default_factory=Filters)
    group_by: GroupBy = Field("image", description="image: one result per image; study: the best image of each study.")
    mode: Literal["hybrid", "image", "report"] | None = Field(
        None, description="hybrid: report words and vector fused with the image (default when the store has "
        "reports); image: the image index alone; report: the reports alone.")


class SimilarRequest(Page):
    """Studies like a given study (« cas similaires »)."""

    model_config = ConfigDict(extra="forbid")

    filters: Filters = Field(default_factory=Filters)


class ImageQuery(Filters, Page):
    """Query parameters of an image search (the image itself is the request body)."""

    group_by: GroupBy = Field("image", description="image: one result per image; study: the best image of each study.")

    def filters(self) -> Filters:
        """The filter fields alone."""
        return Filters(**{name: getattr(self, name) for name in Filters.model_fields})

    def paging(self) -> Page:
        """The page fields alone (checked against MAX_RESULTS)."""
        return Page(page=self.page, per_page=self.per_page)


class Result(BaseModel):
    """One ranked image (or study, shown by one of its images); de-identified fields only."""

    rank: int
    score: float = Field(description="Cosine similarity to the query (image mode), or the fused score (hybrid, report).")
    image_id: int = Field(description="The image shown (-1: the study has no image).")
    study_uid: str = Field(description="Pseudonymised study UID.")
    study_date: str | None = Field(description="ISO date, shifted per patient.")
    body_part: str
    laterality: str | None = None
    view: str | None = None
    age_months: int | None
    sex: str
    images: int | None = Field(None, description="Images in the study (study results only).")
    excerpt: str = Field(description="One line of the de-identified report.")
    marks: list[tuple[int, int]] = Field(default_factory=list, description="[start, end) of the query's terms in excerpt.")
    thumbnail: str | None = Field(description="URL of the cached greyscale picture.")
    signals: dict[str, int] = Field(default_factory=dict, description="Why it is here (hybrid and report modes): "
                                    "the rank given by the report's words (lexical), the report's vector (report) "
                                    "and the image (image).")


class ResultPage(BaseModel):
    """One page of a ranking."""

    kind: Literal["images", "studies"]
    page: int
    per_page: int
    has_more: bool
    took_ms: float = Field(description="Time the engine took, in milliseconds.")
    results: list[Result]


class StudyImage(BaseModel):
    image_id: int
    body_part: str | None
    view: str | None
    laterality: str | None
    thumbnail: str | None


class StudyReport(BaseModel):
    report_date: str | None
    indication: str | None
    technique: str | None
    findings: str | None
    conclusion: str | None
    text: str = Field(description="The whole de-identified report.")


class StudyDetail(BaseModel):
    """A study: its images and de-identified reports (no patient pseudonym, no accession)."""

    study_uid: str
    study_date: str | None
    modality: str | None
    body_part: str | None
    age_months: int | None
    sex: str | None
    images: list[StudyImage]
    reports: list[StudyReport]


class Facets(BaseModel):
    """The values the filters can take in this store."""

    body_parts: list[str]
    laterality: list[str]
    sex: list[str]
    age_years: tuple[int, int] | None
    study_dates: tuple[str, str] | None


class Limits(BaseModel):
    per_page_max: int = PER_PAGE_MAX
    max_results: int = MAX_RESULTS
    upload_max_bytes: int


class Info(BaseModel):
    """What the page needs to draw itself."""

    images: int
    studies: int
    facets: Facets
    examples: list[str]
    limits: Limits
    study_similarity: bool = Field(description="Whether the store has study vectors (« cas similaires »).")


def where_clause(filters: Filters) -> str | None:
    """The SQL condition over images ⋈ studies (:data:`bonesearch.search.filters.FILTER_RELATION`) for
    ``filters``, or None when no filter is set. Values are validated codes, integers and
    dates, never free text."""
    parts = []
    for column in ("body_part", "laterality", "sex"):
        value = getattr(filters, column)
        if value is not None:
            parts.append(f"{column} = '{value}'")
    if filters.age_min is not None:
        parts.append(f"age_months >= {filters.age_min * 12}")
    if filters.age_max is not None:
        parts.append(f"age_months < {(filters.age_max + 1) * 12}")
    if filters.date_from is not None:
        parts.append(f"study_date >= DATE '{filters.date_from.isoformat()}'")
    if filters.date_to is not None:
        parts.append(f"study_date <= DATE '{filters.date_to.isoformat()}'")
    return " AND ".join(parts) or None
