"""Registry of model architectures: small JSON files in ``bonesearch/model_configs/``.

Each ``NAME.json`` describes one architecture in open_clip's layout (``embed_dim``,
``vision_cfg``, ``text_cfg``) plus bonesearch's own keys:

``vision_cfg``
    open_clip's timm keys (``timm_model_name``, ``timm_pool``, ``timm_proj``, ...),
    ``image_size``, and ``timm_kwargs``: extra keyword arguments for
    ``timm.create_model`` (``in_chans: 1`` for single-channel radiographs, ``img_size``
    for ViTs at 128/224/336/448 px, ``drop_path_rate``, ``channels`` for a narrow ResNet).
    ``timm_kwargs.img_size``, when given, must equal ``image_size``.
``text_cfg``
    ``source``: where the text tower comes from by default (``"scratch"``, a hub name
    such as ``"Dr-BERT/DrBERT-7GB"``, or ``"local-dir:PATH"``); ``context_length``
    (tokens); ``hf_pooler_type`` (one of ``TEXT_POOLERS``: CLS token or masked mean) and
    ``hf_proj_type`` (``linear`` or ``mlp``), open_clip's HFTextEncoder options;
    ``scratch_cfg``: ``transformers.BertConfig`` keyword arguments for a from-scratch
    tower; ``tokenizer_cfg``: ``vocab_size`` / ``min_frequency`` of its WordPiece
    tokenizer.
``preprocess_cfg``
    ``mean`` / ``std`` (one value per input channel, on pixels scaled to [0, 1]) and
    ``pad_to_square`` (pad non-square images with black before resizing).
top level
    ``description`` (one line for ``bonesearch models``), ``embed_dim``,
    ``init_logit_scale`` (log of the initial temperature, default log(1/0.07)) and
    ``init_logit_bias`` (``null`` by default: no bias; a number adds open_clip's learnable
    logit bias, e.g. -10 for the SigLIP loss).

``list_models()`` names them, ``get_model_config(name)`` returns a private deep copy.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from bonesearch.errors import ModelConfigError, UnknownModel

__all__ = ["CONFIG_DIR", "TEXT_POOLERS", "TEXT_PROJECTIONS", "list_models", "get_model_config", "validate_config"]

CONFIG_DIR = Path(__file__).resolve().parent.parent / "model_configs"

_REQUIRED = {
    "": ("embed_dim", "vision_cfg", "text_cfg", "preprocess_cfg"),
    "vision_cfg": ("image_size", "timm_model_name"),
    "text_cfg": ("source", "context_length"),
    "preprocess_cfg": ("mean", "std"),
}

#: open_clip HFTextEncoder poolers that suit an encoder: the CLS token's last hidden state,
#: BERT's pooler layer over it (dense + tanh), or the mean over real (non-padding) tokens.
#: open_clip's ``max_pooler`` is left out: it fails on the integer attention mask it is given.
TEXT_POOLERS: tuple[str, ...] = ("cls_last_hidden_state_pooler", "cls_pooler", "mean_pooler")
#: Projections of the pooled text feature to ``embed_dim``.
TEXT_PROJECTIONS: tuple[str, ...] = ("linear", "mlp")

_CONFIGS: dict[str, dict[str, Any]] = {}


def _natural_key(name: str) -> list[Any]:
    return [int(s) if s.isdigit() else s for s in re.split(r"(\d+)", name.lower())]


def _scan() -> None:
    """(Re)read every ``*.json`` file of the config folder into the registry."""
    _CONFIGS.clear()
    for path in sorted(CONFIG_DIR.glob("*.json"), key=lambda p: _natural_key(p.stem)):
        try:
            cfg = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelConfigError(f"model config {path} is not valid JSON ({exc}): fix or remove it") from exc
        validate_config(cfg, where=str(path))
        _CONFIGS[path.stem] = cfg


def validate_config(cfg: dict[str, Any], where: str = "model config") -> None:
    """Check that ``cfg`` has the keys the factory needs; raise ModelConfigError naming them."""
    if not isinstance(cfg, dict):
        raise ModelConfigError(f"{where} must be a JSON object, got {type(cfg).__name__}")
    for section, keys in _REQUIRED.items():
        sub = cfg if not section else cfg.get(section)
        if not isinstance(sub, dict):
            raise ModelConfigError(f"{where} lacks the section {section!r}: see bonesearch/model_configs/tiny.json")
        missing = [k for k in keys if k not in sub]
        if missing:
            label = f"{section}." if section else ""
            raise ModelConfigError(
                f"{where} lacks {', '.join(label + k for k in missing)}: see bonesearch/model_configs/tiny.json"
            )
    in_chans = int(cfg["vision_cfg"].get("timm_kwargs", {}).get("in_chans", 3))
    for key in ("mean", "std"):
        if len(cfg["preprocess_cfg"][key]) not in (1, in_chans):
            raise ModelConfigError(f"{where}: preprocess_cfg.{key} needs 1 or {in_chans} values (in_chans={in_chans})")
    _validate_choices(cfg, where)


def _validate_choices(cfg: dict[str, Any], where: str) -> None:
    """Check the values that have a fixed set of choices or must agree with each other."""
    text_cfg = cfg["text_cfg"]
    pooler = text_cfg.get("hf_pooler_type", TEXT_POOLERS[0])
    if pooler not in TEXT_POOLERS:
        raise ModelConfigError(f"{where}: text_cfg.hf_pooler_type={pooler!r} is not supported: use one of {', '.join(TEXT_POOLERS)}")
    proj = text_cfg.get("hf_proj_type", TEXT_PROJECTIONS[0])
    if proj not in TEXT_PROJECTIONS:
        raise ModelConfigError(f"{where}: text_cfg.hf_proj_type={proj!r} is not supported: use one of {', '.join(TEXT_PROJECTIONS)}")
    for key in ("init_logit_scale", "init_logit_bias"):
        value = cfg.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ModelConfigError(f"{where}: {key}={value!r} must be a number" + (" or null" if key == "init_logit_bias" else ""))
    vision = cfg["vision_cfg"]
    img_size = vision.get("timm_kwargs", {}).get("img_size")
    if img_size is not None and int(img_size) != int(vision["image_size"]):
        raise ModelConfigError(
            f"{where}: vision_cfg.timm_kwargs.img_size={img_size} differs from vision_cfg.image_size={vision['image_size']}: "
            f"set both to the input side in pixels"
        )


def list_models() -> list[str]:
    """Names of the registered architectures, naturally sorted (``small``, ``tiny``, ...)."""
    if not _CONFIGS:
        _scan()
    return list(_CONFIGS)


def get_model_config(name: str) -> dict[str, Any]:
    """A deep copy of the registered config ``name``; UnknownModel lists the available names."""
    if not _CONFIGS:
        _scan()
    if name not in _CONFIGS:
        raise UnknownModel(
            f"unknown model {name!r}: available architectures are {', '.join(_CONFIGS) or '(none)'} "
            f"(or load a checkpoint folder with load_checkpoint / local-dir:PATH)"
        )
    return copy.deepcopy(_CONFIGS[name])
