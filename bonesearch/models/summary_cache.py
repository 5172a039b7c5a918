"""``bonesearch models`` without importing torch: summaries cached by the content of each config.

Counting an architecture's parameters means building it (:mod:`bonesearch.models.summary`),
and importing torch, open_clip and transformers alone takes seconds. A summary depends only on
the config (and, for a hub text tower, on whether the local HF cache holds it), so it is kept
under the SHA-256 of the config's JSON:

* ``bonesearch/models/model_summaries.json``, shipped with the package for its own configs
  (``tests/models`` checks it against a fresh count; ``python -m bonesearch.models.summary_cache``
  rewrites it);
* ``$XDG_CACHE_HOME/bonesearch/model_summaries.json`` (default ``~/.cache``) for the user's own
  configs, written on their first listing.

The key also holds the text tower's state (a local folder's ``config.json`` time, whether the
HF cache holds a hub model): a summary whose text tower could not be sized offline is counted
again once the model is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bonesearch.durable import replace_synced
from bonesearch.models.registry import get_model_config, list_models

SHIPPED = Path(__file__).resolve().parent / "model_summaries.json"


@dataclass(frozen=True)
class ModelSummary:
    """One registered architecture, as ``bonesearch models`` shows it."""

    name: str
    description: str
    image_tower: str  # timm architecture name
    image_size: int  # input side, pixels
    in_chans: int  # 1: grey patch embedding / stem; 3: grey replicated
    text_source: str  # "scratch", "local-dir:PATH" or a hub name
    text_tower: str  # e.g. "BERT 12x768 (from scratch)" or the hub name
    context_length: int  # tokens
    pooler: str  # open_clip hf_pooler_type
    embed_dim: int
    logit_bias: float | None  # init_logit_bias (None: no bias)
    params_image: int  # vision tower incl. its projection
    params_text: int | None  # text tower incl. its projection; None when unknown offline
    params_total: int | None  # whole model (towers + logit scale/bias); None when the text tower is unknown

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (for ``bonesearch models --json``)."""
        return asdict(self)


def user_cache_path() -> Path:
    """Where summaries of the user's own configs are kept."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bonesearch" / "model_summaries.json"


def _text_source_state(cfg: dict[str, Any]) -> str:
    """What the text tower's size depends on besides the config: a local folder's config.json
    (its modification time), or whether the HF cache holds the hub model — found without importing
    transformers, so that a download or an edit makes the summary be counted again."""
    source = str(cfg.get("text_cfg", {}).get("source", "scratch")).strip()
    if source == "scratch":
        return "scratch"
    folder = Path(source.removeprefix("local-dir:")).expanduser()
    if folder.is_dir():
        config = folder / "config.json"
        return f"dir:{config.stat().st_mtime_ns if config.is_file() else 'none'}"
    hub = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME") or Path.home() / ".cache/huggingface")
               / "hub")
    return f"hub:{(hub / ('models--' + source.replace('/', '--'))).is_dir()}"


def config_key(cfg: dict[str, Any]) -> str:
    """The SHA-256 of ``cfg`` as canonical JSON and of its text tower's state (:func:`_text_source_state`)."""
    text = json.dumps(cfg, sort_keys=True, ensure_ascii=False) + _text_source_state(cfg)
    return hashlib.sha256(text.encode()).hexdigest()


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # absent or damaged: recounted, then rewritten
    return data if isinstance(data, dict) else {}


def _write(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_synced(path, (json.dumps(entries, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode())
    except OSError:
        pass  # a read-only home: the listing still works, only slower next time


def cached_summaries() -> list[ModelSummary]:
    """Every registered architecture's summary, in registry order; only the configs without a
    cached summary are built (importing torch)."""
    shipped, user = _read(SHIPPED), _read(user_cache_path())
    out, fresh = [], {}
    for name in list_models():
        key = config_key(get_model_config(name))
        entry = shipped.get(key) or user.get(key)
        if entry is None or entry.get("name") != name:
            from bonesearch.models.summary import summarize_model

            entry = fresh[key] = summarize_model(name).to_dict()
        out.append(ModelSummary(**entry))
    if fresh:
        _write(user_cache_path(), {**user, **fresh})
    return out


def write_shipped_summaries() -> Path:
    """Recount every registered config and rewrite :data:`SHIPPED` (after adding or editing a config)."""
    from bonesearch.models.summary import summarize_model

    entries = {config_key(get_model_config(name)): summarize_model(name).to_dict() for name in list_models()}
    _write(SHIPPED, entries)
    return SHIPPED


if __name__ == "__main__":
    print(f"wrote {write_shipped_summaries()}")
