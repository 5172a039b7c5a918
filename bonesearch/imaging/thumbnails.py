"""Where a store keeps each image's display picture: the cached, windowed, de-identified
greyscale PNG (``pixels/<image_id>.png``). The HTML contact sheet embeds these files and
the web page serves them; neither ever reads the original DICOM."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bonesearch.store import Store

__all__ = ["pixel_files"]


def pixel_files(store: Store, image_ids: Iterable[int]) -> dict[int, Path]:
    """The cached PNG of each of ``image_ids`` that the store holds and that is on disk, by image id."""
    wanted = sorted({int(i) for i in image_ids})
    if not wanted:
        return {}
    rows = store.con.execute(
        "SELECT image_id, pixel_path FROM images WHERE image_id IN (SELECT unnest(?::BIGINT[]))", [wanted]
    ).fetchall()
    files = {int(image_id): store.pixel_file(relative) for image_id, relative in rows}
    return {image_id: file for image_id, file in files.items() if file.is_file()}
