"""Checkpoints: a folder with safetensors weights, the resolved config, and the text tower's
HF config + tokenizer. Nothing is ever unpickled.

```
CKPT/
  model.safetensors   all weights of the CustomTextCLIP (shared tensors stored once)
  config.json         the resolved model config, + "extra" (e.g. training info),
                      "fingerprint", "format_version"
  text_tower/         HF config.json + tokenizer files (no weights)
```

``save_checkpoint`` writes into a temporary sibling folder and renames it into place, so a
crash never leaves a half-written checkpoint. ``load_checkpoint`` rebuilds the
architecture from ``config.json`` and ``text_tower/`` offline and loads the weights
strictly.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_model, save_model

from bonesearch import __version__
from bonesearch.errors import CheckpointError
from bonesearch.models.clip import BoneClip
from bonesearch.models.device import resolve_device
from bonesearch.models.factory import LOCAL_DIR_PREFIX, build_clip, check_text_tower_folder
from bonesearch.models.registry import validate_config

__all__ = ["save_checkpoint", "load_checkpoint", "read_checkpoint_config", "swap_into_place", "FORMAT_VERSION"]

FORMAT_VERSION = 1
WEIGHTS = "model.safetensors"
CONFIG = "config.json"
TEXT_TOWER = "text_tower"
_META_KEYS = ("extra", "fingerprint", "format_version", "bonesearch_version")


def save_checkpoint(clip: BoneClip, out_dir: Path, extra: dict[str, Any] | None = None) -> Path:
    """Write ``clip`` to the folder ``out_dir`` (replacing an earlier checkpoint there) atomically.

    Args:
        clip: the model to save (any device; weights are written as they are, e.g. float32).
        out_dir: the checkpoint folder; its parent is created. An existing folder is
            replaced only if it is empty or a checkpoint (has config.json/model.safetensors).
        extra: JSON-serialisable information stored under ``"extra"`` in config.json
            (training step, data, metrics...).

    Returns:
        ``out_dir``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not _replaceable(out_dir):
        raise CheckpointError(
            f"{out_dir} exists and is not a bonesearch checkpoint: choose another folder (nothing was written)"
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        save_model(clip.model, str(tmp / WEIGHTS), metadata={"format": "pt", "bonesearch_format": str(FORMAT_VERSION)})
        (tmp / TEXT_TOWER).mkdir()
        clip.model.text.config.save_pretrained(str(tmp / TEXT_TOWER))
        clip.tokenizer.save_pretrained(str(tmp / TEXT_TOWER))
        config = json.loads(json.dumps(clip.config))  # a plain-JSON copy
        config["text_cfg"]["hf_model_name"] = TEXT_TOWER
        config["text_cfg"]["hf_model_pretrained"] = False
        config.update(
            format_version=FORMAT_VERSION,
            bonesearch_version=__version__,
            fingerprint=clip.fingerprint(),
            extra=extra or {},
        )
        try:
            text = json.dumps(config, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        except TypeError as exc:
            raise CheckpointError(f"extra={extra!r} is not JSON-serialisable ({exc}): pass plain numbers/strings/lists/dicts") from exc
        (tmp / CONFIG).write_text(text, encoding="utf-8")
        swap_into_place(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def load_checkpoint(path: Path | str, device: str | torch.device = "cpu") -> BoneClip:
    """Rebuild a ``BoneClip`` from a checkpoint folder, without network, and move it to ``device``.

    ``path`` is the folder (or ``local-dir:FOLDER``, or the ``model.safetensors`` file in it).
    ``clip.config`` is the model config as saved; the checkpoint's ``extra``, the
    fingerprint recorded at save time and the format version go to ``clip.meta``.
    Raises CheckpointError naming the folder and the missing or damaged file.
    """
    folder = _folder(path)
    config = read_checkpoint_config(folder)
    meta = {k: config.pop(k) for k in _META_KEYS if k in config}
    text_dir = folder / TEXT_TOWER
    check_text_tower_folder(text_dir, need_weights=False)
    source = config["text_cfg"].get("source", "scratch")
    clip = build_clip(config, text_dir, pretrained=False)
    clip.config["text_cfg"]["source"] = source
    try:
        missing, unexpected = load_model(clip.model, str(folder / WEIGHTS), strict=False)
    except (SafetensorError, OSError, RuntimeError) as exc:
        raise CheckpointError(f"{folder / WEIGHTS} cannot be loaded ({exc}): the file is damaged or not this model's; re-save the checkpoint") from exc
    if missing or unexpected:
        raise CheckpointError(
            f"{folder / WEIGHTS} does not match {folder / CONFIG}: missing {sorted(missing)[:5]}, "
            f"unexpected {sorted(unexpected)[:5]}; the two files come from different models, re-save the checkpoint"
        )
    clip.meta = meta
    return clip.to(resolve_device(device))


def read_checkpoint_config(path: Path | str) -> dict[str, Any]:
    """The checkpoint's ``config.json`` (model config + ``extra``, ``fingerprint``, ...), checked."""
    folder = _folder(path)
    for name in (CONFIG, WEIGHTS):
        if not (folder / name).is_file():
            raise CheckpointError(
                f"checkpoint {folder} has no {name}: it is not a complete bonesearch checkpoint; "
                f"write one with save_checkpoint (`bonesearch pretrain ... --out {folder}`)"
            )
    try:
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{folder / CONFIG} is not readable JSON ({exc}): re-save the checkpoint") from exc
    if int(config.get("format_version", 0)) > FORMAT_VERSION:
        raise CheckpointError(
            f"{folder} was written by a newer bonesearch (format {config['format_version']}): upgrade bonesearch"
        )
    validate_config(config, where=str(folder / CONFIG))
    return config


def random_weights_like(checkpoint: Path | str, seed: int = 0) -> BoneClip:
    """The checkpoint's architecture (same config and tokenizer) with weights drawn at random from ``seed``.

    The baseline a pretrained encoder is measured against (``bonesearch eval knn --encoder random``).
    """
    config = read_checkpoint_config(checkpoint)
    for key in ("extra", "fingerprint", "format_version", "bonesearch_version"):  # provenance, not architecture
        config.pop(key, None)
    return build_clip(config, _folder(checkpoint) / TEXT_TOWER, pretrained=False, seed=seed)


def _folder(path: Path | str) -> Path:
    text = str(path)
    if text.startswith(LOCAL_DIR_PREFIX):
        text = text[len(LOCAL_DIR_PREFIX):]
    folder = Path(text).expanduser()
    if folder.is_file() and folder.name == WEIGHTS:
        folder = folder.parent
    if not folder.is_dir():
        raise CheckpointError(f"checkpoint folder {folder} does not exist: check the path")
    return folder


def _replaceable(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    return not any(folder.iterdir()) or (folder / CONFIG).is_file() or (folder / WEIGHTS).is_file()


def swap_into_place(tmp: Path, out_dir: Path) -> None:
    """Rename ``tmp`` to ``out_dir``; an existing ``out_dir`` is moved aside first and
    removed only once the new one is in place."""
    old = None
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{uuid.uuid4().hex[:8]}"
        out_dir.rename(old)
    try:
        tmp.rename(out_dir)
    except OSError:
        if old is not None:
            old.rename(out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
