"""What a decoded file *is*, against what the store already holds: new, a copy, a newer version, or erased.

A source is identified by its SOP Instance UID (its keyed pseudonym) and a keyed hash of
its bytes, never by where it was found. For each decoded image of a batch,
:meth:`BatchIdentities.decide` answers one of:

- ``new``        the SOP Instance UID is not in the store: ingest it;
- ``duplicate``  the same SOP Instance UID with the same bytes (a copy in another folder or
                 a second export): nothing to store, the source is recorded as a copy;
- ``replace``    the same SOP Instance UID with *different* bytes: **the file ingested
                 last wins**. A PACS re-sends an instance under the same UID when it
                 corrects its header (patient, laterality, study); keeping the older
                 version would keep the error, and a patient corrected away from a study
                 would stay findable under the wrong identity. The older image's row and
                 pixels are removed, the newer one gets a new image id (so ``index
                 --update`` embeds it and drops the old vector) and the study row takes the
                 newer header's values. Every replacement is counted and listed;
- ``forgotten``  the SOP Instance UID was erased on request (``bonesearch forget``): never
                 ingested again, whichever export it comes back in.

Erasure keeps, in ``sources``, the keyed hash of the file's bytes and :func:`instance_token`
of its SOP Instance UID: a second keyed derivation, found nowhere else. Not the
``images.sop_uid`` pseudonym, which de-identified DICOM copies (``--export-dicom``) carry: an
erased patient's row must not link to any copy made before the erasure.

Stores written before sources carried a content hash have none for their images: a file
with the same SOP Instance UID is then taken as a copy (nothing to compare with), never as a
newer version.
"""

from __future__ import annotations

from dataclasses import dataclass

from bonesearch.deid.key import PseudonymKey
from bonesearch.store import Store

NEW, DUPLICATE, REPLACE, FORGOTTEN = "new", "duplicate", "replace", "forgotten"
QUERY_CHUNK = 1000  # values per IN (…) list


def instance_token(key: PseudonymKey, sop_uid_pseudonym: str) -> str:
    """The keyed token that names a SOP Instance UID in ``sources`` (see the module docstring)."""
    return key.pseudonym("instance", sop_uid_pseudonym, length=32).split("-", 1)[1]


@dataclass
class KnownImage:
    """An image the store (or this batch) already holds under a SOP Instance UID."""

    image_id: int
    content_hash: str | None  # None for images ingested before content hashes were kept
    pixel_path: str


class BatchIdentities:
    """The store's images and erasures for one batch's SOP Instance UIDs, looked up in a few queries."""

    def __init__(self, store: Store, sop_uids: list[str], tokens: list[str | None]) -> None:
        self.known: dict[str, KnownImage] = {}
        self.forgotten: set[str] = set()  # instance tokens
        unique = sorted(set(sop_uids))
        for start in range(0, len(unique), QUERY_CHUNK):
            part = unique[start : start + QUERY_CHUNK]
            rows = store.con.execute(
                "SELECT i.sop_uid, i.image_id, i.pixel_path, "
                "       (SELECT max(s.content_hash) FROM sources s WHERE s.image_id = i.image_id) "
                "FROM images i WHERE i.sop_uid IN (SELECT unnest(?))", [part]).fetchall()
            for sop_uid, image_id, pixel_path, content_hash in rows:
                self.known[sop_uid] = KnownImage(int(image_id), content_hash, pixel_path)
        wanted = sorted({t for t in tokens if t})
        for start in range(0, len(wanted), QUERY_CHUNK):
            self.forgotten.update(token for (token,) in store.con.execute(
                "SELECT DISTINCT instance_token FROM sources WHERE status = 'forgotten' "
                "AND instance_token IN (SELECT unnest(?))", [wanted[start : start + QUERY_CHUNK]]).fetchall())

    def decide(self, sop_uid: str, token: str | None, content_hash: str | None) -> tuple[str, KnownImage | None]:
        """``(verdict, the image already held or None)`` for a decoded file (see the module docstring)."""
        if token in self.forgotten and sop_uid not in self.known:
            return FORGOTTEN, None
        held = self.known.get(sop_uid)
        if held is None:
            return NEW, None
        if held.content_hash is None or content_hash is None or held.content_hash == content_hash:
            return DUPLICATE, held
        return REPLACE, held

    def remember(self, sop_uid: str, image: KnownImage) -> None:
        """Record an image written by this batch, so a later file of the same batch is compared with it."""
        self.known[sop_uid] = image
