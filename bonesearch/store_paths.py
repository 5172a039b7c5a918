"""Where a store keeps its files, readable without importing DuckDB or NumPy: the CLI checks a
``--store`` path with it before it loads anything heavy, so a typo is answered at once."""

from __future__ import annotations

from pathlib import Path

from bonesearch.errors import StoreNotFound

#: the store's DuckDB file, inside the store folder
DB_NAME = "meta.duckdb"


def require_store(path: Path) -> Path:
    """``path`` when it holds a store; StoreNotFound (saying how to create one) otherwise."""
    path = Path(path)
    if not (path / DB_NAME).is_file():
        raise StoreNotFound(path)
    return path
