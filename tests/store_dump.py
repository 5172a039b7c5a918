"""Everything a store holds in DuckDB, as text: what the PHI leak tests grep."""

from __future__ import annotations

from pathlib import Path

from bonesearch.store import Store


def store_cells_text(store: Path) -> str:
    """Every cell of every DuckDB table of ``store``, one row per line (DuckDB compresses strings on disk)."""
    parts = []
    with Store.open(store) as s:
        tables = [t for (t,) in s.con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        for table in tables:
            for row in s.con.execute(f'SELECT * FROM "{table}"').fetchall():
                parts.append(" | ".join("" if v is None else str(v) for v in row))
    return "\n".join(parts)
