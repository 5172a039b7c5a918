"""Build a ``BoneClip`` from a registered architecture (or a config dict) and a text-tower source.

Text-tower sources (``text_source``, else the config's ``text_cfg.source``):

``"scratch"``
    A BERT of the config's ``scratch_cfg`` size with random weights, and a WordPiece
    tokenizer trained on ``reports`` (both saved to ``work_dir/text_tower/``).
``"local-dir:PATH"`` (or an existing folder)
    A local HF model folder: ``config.json``, weights and tokenizer files, e.g. written by
    ``save_pretrained``. Weights are loaded (``hf_model_pretrained=True``).
a hub name such as ``"Dr-BERT/DrBERT-7GB"``
    The same, through the HF hub cache; needs the network once. Offline, the error says
    to download it once and pass ``local-dir:PATH``.

The image tower is always a timm model built from ``vision_cfg`` (random weights unless
``timm_model_pretrained``). Weights of a trained model come from ``load_checkpoint``.
``assemble_model`` builds the bare ``CustomTextCLIP`` (used on the ``meta`` device to
count parameters without allocating them, see ``summary.py``).
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
from open_clip.hf_configs import arch_dict
from open_clip.model import CustomTextCLIP

from bonesearch.errors import CheckpointError, ModelConfigError, UnknownModel
from bonesearch.models.clip import BoneClip
from bonesearch.models.registry import get_model_config, validate_config
from bonesearch.models.tokenizer import TOKENIZER_FILES, load_tokenizer, train_wordpiece_tokenizer
from bonesearch.models.towers import build_vision_tower

__all__ = ["create_model", "build_clip", "assemble_model", "scratch_bert_config", "parse_text_source", "LOCAL_DIR_PREFIX"]

LOCAL_DIR_PREFIX = "local-dir:"
_WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")


def create_model(
    name_or_cfg: str | dict[str, Any],
    *,
    text_source: str | Path | None = None,
    reports: Iterable[str] | None = None,
    work_dir: Path | None = None,
    seed: int = 0,
    init_logit_scale: float | None = None,
    init_logit_bias: float | None = None,
) -> BoneClip:
    """A new model of architecture ``name_or_cfg`` (registry name or config dict), on CPU.

    Args:
        name_or_cfg: ``"tiny"``, ``"small"``, ``"vitb16-bertbase"``, ``"vitb16-drbert"``...
            (see ``list_models()``) or a config dict in the same layout.
        text_source: ``"scratch"``, ``"local-dir:PATH"``, an existing folder, or a hub name;
            defaults to the config's ``text_cfg.source``.
        reports: report texts to train the tokenizer on (``"scratch"`` only).
        work_dir: where ``text_tower/`` (config + tokenizer of a scratch tower) is written;
            a temporary folder when None (the model keeps what it needs in memory).
        seed: seeds every random initialisation; same seed, same weights.
        init_logit_scale: overrides the config's ``init_logit_scale`` (log of the initial
            temperature); SigLIP training uses ``math.log(10)``.
        init_logit_bias: overrides the config's ``init_logit_bias`` and gives the model a
            learnable logit bias; SigLIP training uses ``-10``. Both end up in
            ``clip.config``, so a checkpoint reloads with them.

    Raises:
        UnknownModel: unknown architecture, or a hub name that cannot be reached.
        CheckpointError: a local text-tower folder lacks config.json, weights or tokenizer.
        ModelConfigError: an invalid config, or ``"scratch"`` without reports.
    """
    if isinstance(name_or_cfg, dict):
        cfg = copy.deepcopy(name_or_cfg)
    else:
        cfg = get_model_config(str(name_or_cfg))
        cfg["name"] = str(name_or_cfg)
    if init_logit_scale is not None:
        cfg["init_logit_scale"] = float(init_logit_scale)
    if init_logit_bias is not None:
        cfg["init_logit_bias"] = float(init_logit_bias)
    validate_config(cfg, where=f"model {cfg.get('name', '(config dict)')}")
    text_cfg = cfg["text_cfg"]
    kind, where = parse_text_source(text_source if text_source is not None else text_cfg["source"])
    if kind == "scratch":
        if reports is None:
            raise ModelConfigError(
                "a from-scratch text tower needs report texts to train its tokenizer: pass reports=..., "
                "or a pretrained French text model with text_source='local-dir:PATH'"
            )
        with tempfile.TemporaryDirectory(prefix="bonesearch-text-") as tmp:
            folder = Path(work_dir if work_dir is not None else tmp) / "text_tower"
            _write_scratch_text_tower(cfg, reports, folder)
            text_cfg["source"] = "scratch"
            clip = build_clip(cfg, folder, pretrained=False, seed=seed)
            if work_dir is None:  # the temporary folder goes away; the model holds what it needs
                clip.config["text_cfg"]["hf_model_name"] = None
            return clip
    if kind == "local-dir":
        check_text_tower_folder(Path(where), need_weights=True)
        text_cfg["source"] = f"{LOCAL_DIR_PREFIX}{Path(where).resolve()}"
        return build_clip(cfg, Path(where), pretrained=True, seed=seed)
    _check_hub_reachable(where)
    text_cfg["source"] = where
    return build_clip(cfg, where, pretrained=True, seed=seed)


def parse_text_source(source: str | Path) -> tuple[str, str]:
    """``("scratch", "")``, ``("local-dir", PATH)`` or ``("hub", NAME)`` for a text-tower source."""
    if isinstance(source, Path):
        return "local-dir", str(source)
    text = str(source).strip()
    if text == "scratch":
        return "scratch", ""
    if text.startswith(LOCAL_DIR_PREFIX):
        return "local-dir", text[len(LOCAL_DIR_PREFIX):]
    if Path(text).expanduser().is_dir():
        return "local-dir", str(Path(text).expanduser())
    if text.startswith(("/", "./", "../", "~")) or "\\" in text or text.count("/") > 1:
        raise CheckpointError(f"text-tower folder {text} does not exist: check the path (or pass local-dir:PATH)")
    return "hub", text


def check_text_tower_folder(folder: Path, *, need_weights: bool) -> None:
    """Raise CheckpointError naming ``folder`` and the missing file unless it holds an HF
    config, a tokenizer and (when ``need_weights``) weights."""
    if not folder.is_dir():
        raise CheckpointError(f"text-tower folder {folder} does not exist: check the path given as local-dir:PATH")
    if not (folder / "config.json").is_file():
        raise CheckpointError(
            f"{folder} has no config.json: it is not an HF model folder; write it with "
            f"model.save_pretrained('{folder}') and tokenizer.save_pretrained('{folder}')"
        )
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise CheckpointError(
            f"{folder} has no tokenizer files (one of {', '.join(TOKENIZER_FILES)}): "
            f"save the tokenizer there with tokenizer.save_pretrained('{folder}')"
        )
    if need_weights and not any((folder / name).is_file() for name in _WEIGHT_FILES):
        raise CheckpointError(
            f"{folder} has no weights (model.safetensors): save them with model.save_pretrained('{folder}')"
        )


def build_clip(cfg: dict[str, Any], text_model: str | Path, *, pretrained: bool, seed: int = 0) -> BoneClip:
    """Assemble ``CustomTextCLIP`` (HFTextEncoder text tower from ``text_model``, timm vision
    tower from ``vision_cfg``) with seeded initialisation, and load its tokenizer; returns it
    on CPU in float32. Records the text model in ``cfg["text_cfg"]``."""
    model = assemble_model(cfg, text_model, pretrained=pretrained, seed=seed)
    tokenizer = load_tokenizer(text_model) if Path(str(text_model)).is_dir() else _hub_tokenizer(str(text_model))
    text_cfg = cfg["text_cfg"]
    text_cfg["hf_model_name"] = str(text_model)
    text_cfg["hf_model_pretrained"] = pretrained
    return BoneClip(model=model, tokenizer=tokenizer, config=cfg, device=torch.device("cpu"))


def assemble_model(cfg: dict[str, Any], text_model: str | Path, *, pretrained: bool, seed: int = 0) -> CustomTextCLIP:
    """The bare ``CustomTextCLIP`` of ``cfg``, its text tower read from the HF folder or hub
    name ``text_model``; float32, on the current default device (CPU, or ``meta`` inside
    ``with torch.device("meta")``). Lowers ``text_cfg.context_length`` to what the text
    model's position embeddings allow."""
    from transformers import AutoConfig

    text_cfg = cfg["text_cfg"]
    try:
        hf_config = AutoConfig.from_pretrained(str(text_model))
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot read the text-tower config of {text_model} ({exc}): re-save it with save_pretrained") from exc
    _register_arch(hf_config)
    max_pos = int(getattr(hf_config, "max_position_embeddings", 0) or 0)
    if max_pos and int(text_cfg["context_length"]) > max_pos:
        text_cfg["context_length"] = max_pos - 2 if hf_config.model_type in ("roberta", "camembert", "xlm-roberta") else max_pos
    open_clip_text = {
        "hf_model_name": str(text_model),
        "hf_model_pretrained": pretrained,
        "hf_proj_type": text_cfg.get("hf_proj_type", "linear"),
        "hf_pooler_type": text_cfg.get("hf_pooler_type", "cls_last_hidden_state_pooler"),
        "context_length": int(text_cfg["context_length"]),
    }
    size = int(cfg["vision_cfg"]["image_size"])
    # CustomTextCLIP always builds a vision tower; give it a negligible one, then install ours.
    placeholder = {"layers": 1, "width": 8, "head_width": 8, "mlp_ratio": 1.0, "patch_size": size, "image_size": size}
    bias = cfg.get("init_logit_bias")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        try:
            model = CustomTextCLIP(
                int(cfg["embed_dim"]),
                vision_cfg=placeholder,
                text_cfg=open_clip_text,
                init_logit_scale=float(cfg.get("init_logit_scale", 2.6592600369327779)),
                init_logit_bias=None if bias is None else float(bias),
            )
        except OSError as exc:
            raise CheckpointError(f"cannot load the text tower from {text_model} ({exc}): check its files") from exc
        model.visual = build_vision_tower(int(cfg["embed_dim"]), cfg["vision_cfg"])
    return model.float()


def _write_scratch_text_tower(cfg: dict[str, Any], reports: Iterable[str], folder: Path) -> None:
    """Train the tokenizer on ``reports`` and write it with a BertConfig of the configured size."""
    text_cfg = cfg["text_cfg"]
    if "scratch_cfg" not in text_cfg:
        raise ModelConfigError(
            f"model {cfg.get('name', '(config dict)')} has no text_cfg.scratch_cfg: it cannot build a text tower "
            f"from scratch; pass text_source='local-dir:PATH' (a pretrained French model folder)"
        )
    tok_cfg = text_cfg.get("tokenizer_cfg", {})
    context = int(text_cfg["context_length"])
    train_wordpiece_tokenizer(
        reports,
        folder,
        vocab_size=int(tok_cfg.get("vocab_size", 8000)),
        min_frequency=int(tok_cfg.get("min_frequency", 2)),
        model_max_length=context,
    )
    tokenizer = load_tokenizer(folder)
    scratch_bert_config(cfg, vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id).save_pretrained(str(folder))


def scratch_bert_config(cfg: dict[str, Any], *, vocab_size: int | None = None, pad_token_id: int = 0) -> Any:
    """The ``transformers.BertConfig`` of ``cfg``'s from-scratch text tower: ``scratch_cfg``
    with one token type, ``context_length`` positions and ``vocab_size`` tokens (default:
    ``tokenizer_cfg.vocab_size``, the size the trained tokenizer may reach)."""
    from transformers import BertConfig

    text_cfg = cfg["text_cfg"]
    if vocab_size is None:
        vocab_size = int(text_cfg.get("tokenizer_cfg", {}).get("vocab_size", 8000))
    return BertConfig(
        **{**text_cfg["scratch_cfg"], "vocab_size": int(vocab_size), "max_position_embeddings": int(text_cfg["context_length"]),
           "pad_token_id": int(pad_token_id), "type_vocab_size": 1},
    )


def _register_arch(hf_config: Any) -> None:
    """Let HFTextEncoder handle BERT-like model types that open_clip does not list
    (e.g. DrBERT's ``camembert``): they share BERT's config attribute names."""
    model_type = getattr(hf_config, "model_type", None)
    if model_type in arch_dict:
        return
    if not hasattr(hf_config, "hidden_size"):
        raise ModelConfigError(
            f"text model type {model_type!r} is not supported: use a BERT/RoBERTa-like encoder (hidden_size in config.json)"
        )
    arch_dict[model_type] = copy.deepcopy(arch_dict["bert"])


def _check_hub_reachable(name: str) -> None:
    from transformers import AutoConfig

    try:
        AutoConfig.from_pretrained(name)
    except (OSError, ValueError) as exc:
        raise UnknownModel(
            f"text model {name!r} is not reachable (offline?) and is not a local folder: download it once "
            f"(e.g. `hf download {name} --local-dir PATH`) and pass text_source='local-dir:PATH'"
        ) from exc


def _hub_tokenizer(name: str) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(name)
    except (OSError, ValueError) as exc:
        raise UnknownModel(f"the tokenizer of {name!r} is not reachable (offline?): download it once and pass local-dir:PATH") from exc
