"""The pseudonymisation key: stable, secret-dependent derivations; file kept private."""

from __future__ import annotations

import datetime as dt
import stat

import pytest

from bonesearch.deid.key import PseudonymKey, default_key_path
from bonesearch.errors import KeyFileError


def test_same_key_same_pseudonyms_across_reload(tmp_path):
    path = tmp_path / "k.json"
    key = PseudonymKey.load_or_create(path)
    again = PseudonymKey.load_or_create(path)
    assert key == again
    assert key.pseudonym("patient", "00451234") == again.pseudonym("patient", "00451234")
    assert key.uid("1.2.3.4") == again.uid("1.2.3.4")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_other_salt_other_pseudonyms():
    a, b = PseudonymKey(b"a" * 32), PseudonymKey(b"b" * 32)
    assert a.pseudonym("patient", "X") != b.pseudonym("patient", "X")
    shifts_a = [a.date_offset_days(str(i)) for i in range(50)]
    shifts_b = [b.date_offset_days(str(i)) for i in range(50)]
    assert shifts_a != shifts_b


def test_date_shift_bounds_and_intervals():
    key = PseudonymKey(b"s" * 32)
    offsets = [key.date_offset_days(f"P{i}") for i in range(2000)]
    assert all(1 <= abs(o) <= 1000 for o in offsets)
    assert min(offsets) < -900 and max(offsets) > 900
    d1, d2 = dt.date(2023, 1, 12), dt.date(2024, 3, 12)
    assert key.shift_date("P1", d2) - key.shift_date("P1", d1) == d2 - d1


def test_uid_is_valid_dicom_uid():
    uid = PseudonymKey(b"u" * 32).uid("1.2.840.113619.2.55.3.604688119.969.1268071029.320")
    assert uid.startswith("2.25.") and len(uid) <= 64 and all(p.isdigit() for p in uid.split("."))


def test_key_lives_outside_store(tmp_path):
    store = tmp_path / "store"
    assert default_key_path(store).parent == store.parent.absolute()


def test_missing_or_bad_key_file(tmp_path):
    with pytest.raises(KeyFileError, match="created by the first"):
        PseudonymKey.load(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(KeyFileError, match="not a bonesearch key file"):
        PseudonymKey.load(bad)


def test_content_hash_names_the_bytes_under_the_key(tmp_path):
    a, b, c, empty = (tmp_path / n for n in ("a.dcm", "b.dcm", "c.dcm", "empty.dcm"))
    a.write_bytes(b"DICM" * 100_000)
    b.write_bytes(b"DICM" * 100_000)
    c.write_bytes(b"DICM" * 99_999 + b"DICN")  # one byte changed at the end
    empty.write_bytes(b"")
    key, other = PseudonymKey.create(), PseudonymKey.create()
    assert key.content_hash(a) == key.content_hash(b) != key.content_hash(c)
    assert key.content_hash(a) != other.content_hash(a)  # keyed: the store cannot confirm a file without the key
    assert len(key.content_hash(empty)) == 32
