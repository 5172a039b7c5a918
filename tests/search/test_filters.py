"""``--where``: SQL over images ⋈ studies → allowed ids; unsafe or malformed clauses are refused."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bonesearch.errors import InvalidQuery
from bonesearch.search.filters import allowed_ids, filter_columns, validate_where
from tests.search_store import opened_store_rows


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with opened_store_rows(tmp_path_factory.mktemp("filters") / "store", studies=30, seed=3) as pair:
        yield pair


def _expected(rows, keep, key="image_id") -> list[int]:
    """Ids whose (image row, study metadata) satisfy the Python predicate ``keep``."""
    found = {(image[0] if key == "image_id" else image[1]) for image in rows.images if keep(image, rows.studies[image[1]])}
    return sorted(found)


@pytest.mark.parametrize(
    ("clause", "keep"),
    [
        ("body_part = 'WRIST' AND age_months < 216", lambda i, s: i[3] == "WRIST" and s["age_months"] < 216),
        ("sex = 'F' AND laterality = 'L'", lambda i, s: s["sex"] == "F" and i[5] == "L"),
        ("study_date >= DATE '2019-01-01'", lambda i, s: s["study_date"] >= dt.date(2019, 1, 1)),
        ("body_part IN ('KNEE', 'HAND') OR view = 'LAT'", lambda i, s: i[3] in ("KNEE", "HAND") or i[4] == "LAT"),
        ("patient_pseudo = 'PAT-3' AND study_body_part <> 'HAND'", lambda i, s: s["patient_pseudo"] == "PAT-3" and s["body_part"] != "HAND"),
        ("lower(body_part) LIKE 'sh%'", lambda i, s: i[3] == "SHOULDER"),
    ],
)
def test_allowed_ids_equal_the_rows_that_match(store, clause, keep):
    opened, rows = store
    got = allowed_ids(opened.con, clause)
    assert got.dtype == np.int64
    assert got.tolist() == _expected(rows, keep)
    assert allowed_ids(opened.con, clause, key="study_id").tolist() == _expected(rows, keep, key="study_id")


def test_a_clause_matching_nothing_gives_no_ids(store):
    opened, _ = store
    assert allowed_ids(opened.con, "age_months > 5000").tolist() == []


@pytest.mark.parametrize(
    ("clause", "says"),
    [
        ("age_months < 216; DROP TABLE images", "';'"),
        ("age_months < 216 -- and the rest", "comment"),
        ("age_months /* hidden */ < 216", "comment"),
        ("age_months < 216) UNION SELECT sop_uid FROM images WHERE (1 = 1", "not one SQL expression"),
        ("age_months < 216, sex = 'F'", "not one SQL expression"),
        ("age_months < 216 ORDER BY 1", "not one SQL expression"),
        ("image_id IN (SELECT image_id FROM images)", "subquery"),
        ("EXISTS (SELECT 1 FROM reports)", "subquery"),
        ("   ", "empty"),
    ],
)
def test_unsafe_or_malformed_clauses_are_refused(store, clause, says):
    opened, rows = store
    with pytest.raises(InvalidQuery, match=says) as info:
        allowed_ids(opened.con, clause)
    assert str(info.value).startswith("--where") and "\n" not in str(info.value)
    assert opened.count("images") == len(rows.images)


def test_an_unknown_column_is_named_with_the_columns_there_are(store):
    opened, _ = store
    with pytest.raises(InvalidQuery) as info:
        allowed_ids(opened.con, "bodypart = 'WRIST'")
    message = str(info.value)
    assert "no column 'bodypart'" in message
    for column in ("body_part", "age_months", "sex", "study_date", "laterality"):
        assert column in message
    assert "\n" not in message


def test_a_type_error_is_one_line_naming_the_clause(store):
    opened, _ = store
    with pytest.raises(InvalidQuery, match="--where \"age_months = 'douze'\": Conversion Error") as info:
        allowed_ids(opened.con, "age_months = 'douze'")
    assert "\n" not in str(info.value)


def test_columns_are_unambiguous_and_cover_images_and_studies(store):
    opened, _ = store
    columns = filter_columns(opened.con)
    assert len(columns) == len(set(columns))
    assert {"image_id", "study_id", "body_part", "study_body_part", "age_months", "sex", "study_date", "view"} <= set(columns)
    assert "pixel_path" not in columns


def test_validate_where_keeps_a_good_clause():
    assert validate_where("  body_part = 'WRIST'  ") == "body_part = 'WRIST'"
