"""``--where``: one SQL condition over the store's images ⋈ studies, turned into the ids that
FAISS may return (an exact filtered search, not post-filtering).

```python
ids = allowed_ids(store.con, "body_part = 'WRIST' AND age_months < 216")   # image ids
ids = allowed_ids(store.con, "sex = 'F'", key="study_id")                 # study ids
```

The condition runs inside ``SELECT <key> FROM (<FILTER_RELATION>) WHERE (<condition>)`` on
the store's read-only connection. Before that it must parse as a single SQL expression
(DuckDB's own parser): no ``;``, no comments, no subqueries, no second statement. Columns
are flattened so that names are unambiguous: ``body_part`` and ``modality`` are the
image's (the study's when the image has none), ``study_body_part`` the study's.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import duckdb
import numpy as np

from bonesearch.errors import InvalidQuery

__all__ = ["FILTER_RELATION", "allowed_ids", "filter_columns", "validate_where"]

#: The rows a ``--where`` condition sees: one per image, with its study's columns.
FILTER_RELATION = """
SELECT i.image_id, i.study_id, s.study_uid, s.patient_pseudo, s.accession_pseudo, s.study_date,
       coalesce(i.modality, s.modality) AS modality, coalesce(i.body_part, s.body_part) AS body_part,
       s.body_part AS study_body_part, i.view, i.laterality, s.age_months, s.sex, i.manufacturer,
       i.rows, i.cols, i.pixel_spacing_mm, i.photometric, i.transfer_syntax, i.bits_stored,
       i.series_uid, i.sop_uid
FROM images i JOIN studies s USING (study_id)
"""

_KEYS = ("image_id", "study_id")
_FORBIDDEN = ((";", "a ';'"), ("--", "a '--' comment"), ("/*", "a '/*' comment"))
_MISSING_COLUMN = re.compile(r'Referenced column "([^"]+)" not found')
_EXAMPLE = "e.g. --where \"body_part = 'WRIST' AND age_months < 216\""
_PARSER = threading.local()  # one in-memory DuckDB per thread, only to parse (a new one costs ~15 ms)


def validate_where(clause: str) -> str:
    """``clause`` stripped, once it is known to be one SQL expression without subqueries.

    Raises:
        InvalidQuery: empty, holds ``;`` or a comment, does not parse as exactly one
            expression, or contains a subquery; the message quotes the clause and the fix.
    """
    text = (clause or "").strip()
    if not text:
        raise InvalidQuery(f"--where is empty: give one SQL condition, {_EXAMPLE}")
    for token, what in _FORBIDDEN:
        if token in text:
            raise InvalidQuery(f"--where {text!r} holds {what}: give a single SQL condition, {_EXAMPLE}")
    try:
        duckdb.SQLExpression(text)
    except duckdb.Error as exc:
        raise InvalidQuery(f"--where {text!r} is not one SQL expression ({_first_line(exc)}); {_EXAMPLE}") from None
    if any(node.get("class") == "SUBQUERY" for node in _ast_nodes(_parse(f"SELECT 1 WHERE ({text})"))):
        raise InvalidQuery(f"--where {text!r} holds a subquery: filter on the columns of images and studies only, {_EXAMPLE}")
    return text


def allowed_ids(con: duckdb.DuckDBPyConnection, clause: str, key: str = "image_id") -> np.ndarray:
    """Sorted unique int64 ``key`` values (``image_id`` or ``study_id``) of the rows matching ``clause``.

    Raises:
        InvalidQuery: an unsafe or malformed clause, an unknown column (the message lists
            the columns there are), or a condition DuckDB cannot evaluate (wrong types).
    """
    if key not in _KEYS:
        raise ValueError(f"key must be one of {_KEYS}, not {key!r}")
    text = validate_where(clause)
    try:
        distinct = "DISTINCT " if key == "study_id" else ""  # image_id is the relation's key
        result = con.execute(f"SELECT {distinct}{key} FROM ({FILTER_RELATION}) AS f WHERE ({text})").fetchnumpy()
    except duckdb.Error as exc:
        raise _explain(con, text, exc) from None
    return np.sort(np.asarray(result[key], dtype=np.int64))


def filter_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The column names a ``--where`` condition may use."""
    return [row[0] for row in con.execute(f"DESCRIBE {FILTER_RELATION}").fetchall()]


def _explain(con: duckdb.DuckDBPyConnection, text: str, exc: duckdb.Error) -> InvalidQuery:
    columns = ", ".join(filter_columns(con))
    missing = _MISSING_COLUMN.search(str(exc))
    if missing:
        return InvalidQuery(f"--where {text!r}: there is no column {missing.group(1)!r}; use one of: {columns}")
    return InvalidQuery(f"--where {text!r}: {_first_line(exc)}; write one condition over: {columns}")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _parse(sql: str) -> dict[str, Any]:
    """DuckDB's parse tree of ``sql`` as JSON (parsing only: nothing is bound or run)."""
    if not hasattr(_PARSER, "con"):
        _PARSER.con = duckdb.connect()
    tree = json.loads(_PARSER.con.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    if tree.get("error") or len(tree.get("statements", [])) != 1:
        raise InvalidQuery(f"--where in {sql!r} is not one SQL expression; {_EXAMPLE}")
    return tree


def _ast_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _ast_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _ast_nodes(value)
