"""Model configs, factory, tokenizer and checkpoints of the CLIP-style radiograph/report model.

Public API::

    list_models() -> list[str]
    get_model_config(name) -> dict
    create_model(name_or_cfg, *, text_source=None, reports=None, work_dir=None, seed=0,
                 init_logit_scale=None, init_logit_bias=None) -> BoneClip
    save_checkpoint(clip, out_dir, extra=None) -> Path
    load_checkpoint(path, device="cpu") -> BoneClip
    train_wordpiece_tokenizer(texts, out_dir, vocab_size=8000, min_frequency=2) -> Path
    resolve_device("auto" | "cpu" | "cuda" | "cuda:N") -> torch.device

See ``bonesearch/model_configs/*.json`` for the architectures, ``factory.py`` for the
text-tower sources (``scratch``, ``local-dir:PATH``, hub name), ``summary.py`` for what
``bonesearch models`` shows, and ``docs/models.md``.
"""

from bonesearch.models.checkpoint import load_checkpoint, read_checkpoint_config, save_checkpoint
from bonesearch.models.clip import BoneClip
from bonesearch.models.device import resolve_device
from bonesearch.models.factory import create_model
from bonesearch.models.registry import get_model_config, list_models
from bonesearch.models.tokenizer import DEID_TAGS, train_wordpiece_tokenizer

__all__ = [
    "BoneClip",
    "DEID_TAGS",
    "create_model",
    "get_model_config",
    "list_models",
    "load_checkpoint",
    "read_checkpoint_config",
    "resolve_device",
    "save_checkpoint",
    "train_wordpiece_tokenizer",
]
