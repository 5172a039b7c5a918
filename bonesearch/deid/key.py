"""The pseudonymisation key: a secret salt from which every pseudonym and date shift derives.

The key lives in its own JSON file *outside* the store (default: ``<store>.key.json``
beside the store folder). Everything is derived deterministically with HMAC-SHA256, so
the same patient gets the same pseudonym and the same date shift in headers and report
text, across runs, without keeping a lookup table of real identifiers anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import mmap
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import xxhash

from bonesearch.deid.dates import is_shiftable
from bonesearch.errors import KeyFileError

MAX_DATE_SHIFT_DAYS = 1000  # the paper's ±1000 days
KEY_VERSION = 1


def default_key_path(store: Path) -> Path:
    """Where the key of ``store`` lives by default: a sibling file, never inside the store."""
    store = Path(store).absolute()
    return store.parent / f"{store.name}.key.json"


@dataclass(frozen=True)
class PseudonymKey:
    """Secret salt plus the derivations built on it."""

    salt: bytes

    # ---- file handling -------------------------------------------------------------
    @classmethod
    def create(cls) -> "PseudonymKey":
        """A fresh random key."""
        return cls(salt=secrets.token_bytes(32))

    @classmethod
    def for_demo(cls, seed: int) -> "PseudonymKey":
        """A key derived from a seed: for fictional demo archives only (reproducible runs)."""
        return cls(salt=hashlib.sha256(f"bonesearch-demo-key:{seed}".encode()).digest())

    @classmethod
    def load(cls, path: Path) -> "PseudonymKey":
        """Read a key file written by :meth:`save`."""
        try:
            data = json.loads(Path(path).read_text())
            return cls(salt=bytes.fromhex(data["salt"]))
        except FileNotFoundError:
            raise KeyFileError(
                f"no pseudonymisation key at {path}: it is created by the first "
                f"`bonesearch ingest`; pass --key if you keep it elsewhere"
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyFileError(f"{path} is not a bonesearch key file ({exc}); restore it from backup") from None

    @classmethod
    def load_or_create(cls, path: Path) -> "PseudonymKey":
        """Load the key at ``path``, creating it (mode 0600) when absent."""
        path = Path(path)
        if path.exists():
            return cls.load(path)
        key = cls.create()
        key.save(path)
        return key

    def save(self, path: Path) -> None:
        """Write the key as JSON, readable by the owner only."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": KEY_VERSION, "salt": self.salt.hex(), "note": "bonesearch pseudonymisation key: keep secret, keep outside the store"}
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(payload, fh, indent=2)
        os.replace(tmp, path)

    # ---- derivations ---------------------------------------------------------------
    def _digest(self, kind: str, value: str) -> bytes:
        msg = f"{kind}\x00{value.strip()}".encode("utf-8")
        return hmac.new(self.salt, msg, hashlib.sha256).digest()

    def pseudonym(self, kind: str, value: str, length: int = 12) -> str:
        """A stable opaque token for ``value`` (e.g. kind='patient' → 'PAT-3f9a…')."""
        prefix = {"patient": "PAT", "accession": "ACC", "study": "STU"}.get(kind, kind[:3].upper())
        return f"{prefix}-{self._digest(kind, value).hex()[:length]}"

    def uid(self, value: str) -> str:
        """A valid DICOM UID (2.25 root, ≤ 64 chars) that replaces ``value`` consistently."""
        number = int.from_bytes(self._digest("uid", value)[:16], "big")
        return f"2.25.{number}"

    def date_offset_days(self, patient_id: str) -> int:
        """The patient's date shift, in [-1000, 1000] days and never 0."""
        raw = int.from_bytes(self._digest("date", patient_id)[:4], "big")
        magnitude = raw % MAX_DATE_SHIFT_DAYS + 1  # 1..1000
        return magnitude if raw & (1 << 31) else -magnitude

    def shift_date(self, patient_id: str, date: dt.date) -> dt.date | None:
        """``date`` moved by the patient's offset (intervals between a patient's dates are kept).

        None for a date outside the plausible window (:func:`bonesearch.deid.dates.is_shiftable`):
        a placeholder such as 9999-12-31 or 0001-01-01 is dropped, neither an ``OverflowError`` nor a
        shifted copy that would reveal the offset to whoever guesses the placeholder.
        """
        if not is_shiftable(date):
            return None
        return date + dt.timedelta(days=self.date_offset_days(patient_id))

    def content_hash(self, path: Path, chunk: int = 1 << 20) -> str:
        """A keyed fingerprint of the bytes of the file at ``path`` (32 hex digits).

        XXH3-128 of the bytes (memory-mapped, ~18 GB/s: a few percent of a file's ingest
        cost, where SHA-256 took more than the decode), then HMAC-SHA256 of that digest with
        the key, so that the store cannot confirm that a given file was ingested without the
        key. Raises ``OSError`` when the file cannot be read.
        """
        fingerprint = xxhash.xxh3_128()
        with open(path, "rb") as fh:
            try:
                with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                    fingerprint.update(mapped)
            except ValueError:  # an empty file cannot be mapped
                pass
            except OSError:  # a file system without mmap: read it in blocks
                fh.seek(0)
                while block := fh.read(chunk):
                    fingerprint.update(block)
        keyed = hmac.new(self._digest("content", ""), fingerprint.digest(), hashlib.sha256)
        return keyed.hexdigest()[:32]

    def fingerprint(self) -> str:
        """A short public fingerprint of the key (safe to store), to detect a swapped key."""
        return hashlib.sha256(b"bonesearch-key-fingerprint" + self.salt).hexdigest()[:16]
