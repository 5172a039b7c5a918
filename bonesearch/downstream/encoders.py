"""Image encoders compared by ``bonesearch eval``, and embedding of image files with an on-disk cache.

An encoder turns greyscale uint8 images into L2-normalised float32 rows and has a
``fingerprint`` that changes whenever its output could change:

``pixels``
    the image resized to 32 × 32 grey (bilinear), flattened, L2-normalised: a deterministic
    baseline any learnt encoder should beat.
``random``
    a checkpoint's architecture with seeded random weights (:func:`random_encoder_like`).
a checkpoint
    :func:`checkpoint_encoder` (any ``bonesearch pretrain`` output).

:func:`embed_files` embeds files in batches with a progress bar; with a cache folder, a
vector is stored under (sha256 of the file's bytes, encoder fingerprint), so a second run,
or the same image under another name, is not embedded again.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image, UnidentifiedImageError

from bonesearch.errors import DatasetLayoutError
from bonesearch.index.vectors import l2_normalise
from bonesearch.progress import progress_bar

__all__ = ["Encoder", "PixelEncoder", "ClipEncoder", "checkpoint_encoder", "random_encoder_like", "build_encoders",
           "EmbeddingCache", "embed_files", "PIXEL_SIDE"]

PIXEL_SIDE = 32  # side of the pixels baseline's thumbnail


class Encoder(Protocol):
    """What :func:`embed_files` needs from an encoder."""

    name: str

    def fingerprint(self) -> str:
        """Identifies the encoder's exact output (architecture, weights, preprocessing)."""

    def embed(self, images: list[np.ndarray]) -> np.ndarray:
        """L2-normalised float32 embeddings [n, d] of uint8 greyscale images (any sizes)."""


@dataclass
class PixelEncoder:
    """The pixels baseline: 32 × 32 grey thumbnail (bilinear), flattened, L2-normalised."""

    name: str = "pixels"
    side: int = PIXEL_SIDE

    def fingerprint(self) -> str:
        """Constant: the baseline has no weights (the version changes if the resize ever does)."""
        return f"pixels-{self.side}x{self.side}-bilinear-v1"

    def embed(self, images: list[np.ndarray]) -> np.ndarray:
        """[n, side²] float32 unit rows."""
        rows = [np.asarray(Image.fromarray(im).resize((self.side, self.side), Image.Resampling.BILINEAR),
                           dtype=np.float32).ravel() / 255.0 for im in images]
        return l2_normalise(np.stack(rows)) if rows else np.empty((0, self.side * self.side), np.float32)


@dataclass
class ClipEncoder:
    """The image tower of a :class:`~bonesearch.models.clip.BoneClip`."""

    clip: object  # BoneClip (not imported at module level: torch is slow to import)
    name: str = "checkpoint"
    batch_size: int = 64
    _fingerprint: str | None = field(default=None, repr=False)

    def fingerprint(self) -> str:
        """The model's fingerprint (architecture + tokenizer + every weight), computed once."""
        if self._fingerprint is None:
            self._fingerprint = f"clip-{self.clip.fingerprint()}"
        return self._fingerprint

    def embed(self, images: list[np.ndarray]) -> np.ndarray:
        """[n, embed_dim]; images of different sizes are encoded in same-size groups."""
        out = np.empty((len(images), self.clip.embed_dim), dtype=np.float32)
        shapes: dict[tuple[int, ...], list[int]] = {}
        for i, im in enumerate(images):
            shapes.setdefault(im.shape, []).append(i)
        for idx in shapes.values():
            batch = np.stack([images[i] for i in idx])
            out[idx] = self.clip.encode_images(batch, batch_size=self.batch_size).numpy()
        return out


def checkpoint_encoder(checkpoint: Path, device: str = "cpu", batch_size: int = 64) -> ClipEncoder:
    """The image encoder of a ``bonesearch pretrain`` checkpoint folder."""
    from bonesearch.models.checkpoint import load_checkpoint

    return ClipEncoder(load_checkpoint(checkpoint, device=device), name="checkpoint", batch_size=batch_size)


def random_encoder_like(checkpoint: Path, seed: int = 0, device: str = "cpu", batch_size: int = 64) -> ClipEncoder:
    """The checkpoint's architecture (config and tokenizer) with random weights seeded by ``seed``."""
    from bonesearch.models.checkpoint import random_weights_like

    return ClipEncoder(random_weights_like(checkpoint, seed).to(device), name="random", batch_size=batch_size)


class EmbeddingCache:
    """Vectors on disk at ``folder/<fingerprint>/<hash[:2]>/<hash>.npy`` (written atomically)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, content_hash: str, fingerprint: str) -> Path:
        return self.folder / fingerprint / content_hash[:2] / f"{content_hash}.npy"

    def get(self, content_hash: str, fingerprint: str) -> np.ndarray | None:
        """The stored vector, or None when absent or unreadable (then it is embedded again)."""
        path = self._path(content_hash, fingerprint)
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            return None

    def put(self, content_hash: str, fingerprint: str, vector: np.ndarray) -> None:
        """Store ``vector`` (float32) for this image content and encoder."""
        path = self._path(content_hash, fingerprint)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.npy")
        np.save(tmp, np.asarray(vector, dtype=np.float32), allow_pickle=False)
        tmp.replace(path)


def embed_files(encoder: Encoder, paths: list[Path], cache: EmbeddingCache | None = None, batch_size: int = 64,
                description: str = "embedding") -> np.ndarray:
    """Embeddings [n, d] of the image files ``paths`` (same order), reading and filling ``cache``.

    Raises DatasetLayoutError naming the first file that is not a readable image.
    """
    fingerprint = encoder.fingerprint()
    rows: list[np.ndarray | None] = [None] * len(paths)
    with progress_bar(f"{description} ({encoder.name})", len(paths)) as advance:
        for start in range(0, len(paths), batch_size):
            chunk = range(start, min(start + batch_size, len(paths)))
            todo: list[tuple[int, str, np.ndarray]] = []
            for i in chunk:
                data = _read(paths[i])
                digest = hashlib.sha256(data).hexdigest()
                cached = cache.get(digest, fingerprint) if cache is not None else None
                if cached is not None:
                    rows[i] = cached
                else:
                    todo.append((i, digest, _decode(data, paths[i])))
            if todo:
                vectors = encoder.embed([im for _, _, im in todo])
                for (i, digest, _), vector in zip(todo, vectors):
                    rows[i] = vector
                    if cache is not None:
                        cache.put(digest, fingerprint, vector)
            advance(len(chunk))
    if not rows:
        return np.empty((0, 0), dtype=np.float32)
    return np.stack(rows).astype(np.float32, copy=False)


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise DatasetLayoutError(f"{path} cannot be read ({exc.strerror}): check the file or remove it") from exc


def _decode(data: bytes, path: Path) -> np.ndarray:
    """uint8 greyscale [H, W] of PNG/JPEG bytes."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return np.asarray(img.convert("L"))
    except (UnidentifiedImageError, OSError) as exc:
        raise DatasetLayoutError(f"{path} is not a readable PNG/JPEG image: replace or remove the file") from exc


ENCODER_NAMES = ("pixels", "random", "checkpoint")


def build_encoders(names: list[str], checkpoint: Path | None, seed: int = 0, device: str = "cpu",
                   batch_size: int = 64) -> list[Encoder]:
    """Encoders by name (``pixels``, ``random``, ``checkpoint``), in the order given.

    ``random`` and ``checkpoint`` need ``checkpoint`` (random weights take its architecture).
    """
    from bonesearch.errors import ModelConfigError

    encoders: list[Encoder] = []
    for name in dict.fromkeys(names):
        if name not in ENCODER_NAMES:
            raise ModelConfigError(f"--encoder {name}: choose one of {', '.join(ENCODER_NAMES)}")
        if name == "pixels":
            encoders.append(PixelEncoder())
        elif checkpoint is None:
            raise ModelConfigError(f"--encoder {name} needs --checkpoint CKPT (the random encoder takes its "
                                   f"architecture); or use --encoder pixels")
        elif name == "random":
            encoders.append(random_encoder_like(checkpoint, seed, device, batch_size))
        else:
            encoders.append(checkpoint_encoder(checkpoint, device, batch_size))
    return encoders
