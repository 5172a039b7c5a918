"""How much RAM an index may take, and what each index type costs per vector.

The budget decides two things: which index type ``bonesearch index`` builds
(:func:`bonesearch.index.backends.choose_factory`) and whether an index file is searched
from RAM or memory-mapped from disk (:func:`bonesearch.index.files.read_index`). It is
``BONESEARCH_INDEX_MEMORY`` (``24G``, ``512M``, bytes) when set, else half of the machine's
RAM: DuckDB, the model and the page cache need the rest.
"""

from __future__ import annotations

import os
import re

from bonesearch.errors import BonesearchError

ENV_BUDGET = "BONESEARCH_INDEX_MEMORY"
DEFAULT_FRACTION = 0.5  # of physical RAM
ID_BYTES = 8  # an int64 id stored beside every code
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_bytes(text: str, source: str = ENV_BUDGET) -> int:
    """``"24G"`` → bytes (K, M, G, T are powers of 1024; a bare number is bytes)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(text), flags=re.IGNORECASE)
    if not match:
        raise BonesearchError(f"{source}={text!r} is not a size: write e.g. 24G, 512M or a number of bytes")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def physical_memory() -> int:
    """Bytes of RAM on this machine."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def memory_budget(explicit: int | None = None) -> int:
    """Bytes an index may hold in RAM: ``explicit``, else ``BONESEARCH_INDEX_MEMORY``, else half the RAM."""
    if explicit is not None:
        return explicit
    if os.environ.get(ENV_BUDGET):
        return parse_bytes(os.environ[ENV_BUDGET])
    return int(physical_memory() * DEFAULT_FRACTION)


def pq_subquantizers(dim: int) -> int:
    """Sub-quantizers of the PQ fallback: one byte per 8 dimensions (64 at 512-d), a divisor of ``dim``."""
    m = max(1, dim // 8)
    while dim % m:
        m -= 1
    return m


def bytes_per_vector(codec: str, dim: int) -> int:
    """RAM per vector of an IVF/flat ``codec`` (``Flat``, ``SQ8``, ``PQ64``…), its id included."""
    if codec == "Flat":
        return 4 * dim + ID_BYTES
    if codec == "SQ8":
        return dim + ID_BYTES
    match = re.fullmatch(r"PQ(\d+)(?:x(\d+))?.*", codec)
    if match:
        bits = int(match.group(2) or 8)
        return int(match.group(1)) * bits // 8 + ID_BYTES
    raise ValueError(f"unknown codec {codec!r}")
