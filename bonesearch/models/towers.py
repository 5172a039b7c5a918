"""Vision tower: open_clip's timm adapter, built with extra timm keyword arguments.

open_clip's ``TimmModel`` passes only a fixed set of options to ``timm.create_model``.
Radiographs are single-channel, so bonesearch builds the trunk with ``in_chans=1``
(timm sums the RGB stem filters when it loads ImageNet weights into a 1-channel stem, so
the grey image gives the same features as its 3-channel replica; weights can come from a
local file with ``timm_kwargs.pretrained_cfg_overlay = {"file": PATH}``),
ViTs at 128/224/336/448 px with ``img_size``, narrow ResNets with ``channels``, and so on:
whatever ``vision_cfg["timm_kwargs"]`` holds. ``TimmVisionTower`` subclasses ``TimmModel``
so that everything built on it (``lock``, ``set_grad_checkpointing``,
``forward_intermediates``, ``set_input_size``, ``forward``) keeps working unchanged.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import timm
import torch.nn as nn
from open_clip.timm_model import TimmModel
from timm.layers import Mlp, to_2tuple

from bonesearch.errors import ModelConfigError

__all__ = ["TimmVisionTower", "build_vision_tower"]


class TimmVisionTower(TimmModel):
    """A timm trunk (built with arbitrary ``timm_kwargs``) + pooling + projection to ``embed_dim``.

    Args:
        model_name: timm architecture name (``vit_base_patch16_224``, ``resnet10t``, ...).
        embed_dim: output size (the joint embedding size).
        image_size: input side in pixels (kept on ``self.image_size`` as open_clip does).
        pool: timm global pool (``"avg"``, ``"token"`` for a ViT's CLS token, ``""`` for the
            network's default).
        proj: ``"linear"``, ``"mlp"`` or ``"none"`` (the trunk's own head then has
            ``embed_dim`` outputs).
        proj_bias: bias on the final projection.
        drop: dropout before the linear projection.
        pretrained: load timm's pretrained weights (needs the hub or a local cache).
        timm_kwargs: extra keyword arguments for ``timm.create_model``.
    """

    def __init__(
        self,
        model_name: str,
        embed_dim: int,
        image_size: int = 224,
        pool: str = "avg",
        proj: str = "linear",
        proj_bias: bool = False,
        drop: float = 0.0,
        pretrained: bool = False,
        timm_kwargs: dict[str, Any] | None = None,
    ) -> None:
        nn.Module.__init__(self)  # TimmModel.__init__ would build its own trunk
        if proj not in ("linear", "mlp", "none"):
            raise ModelConfigError(f"vision_cfg.timm_proj={proj!r}: use linear, mlp or none")
        self.image_size = to_2tuple(image_size)
        kwargs = dict(timm_kwargs or {})
        if proj == "none":
            kwargs.update(num_classes=embed_dim)
            if pool:
                kwargs["global_pool"] = pool
        try:
            self.trunk = timm.create_model(model_name, pretrained=pretrained, **kwargs)
        except RuntimeError as exc:  # unknown architecture, or pretrained weights of another shape
            fix = "check vision_cfg.timm_model_name"
            if pretrained:
                fix += " and that the pretrained weights (timm_kwargs.pretrained_cfg_overlay.file) are this architecture's"
            raise ModelConfigError(f"timm cannot build {model_name!r} ({exc}): {fix}") from exc
        except OSError as exc:  # pretrained weights not downloadable / not cached
            raise ModelConfigError(
                f"timm pretrained weights for {model_name!r} are not reachable (offline?) ({exc}): "
                f"set vision_cfg.timm_model_pretrained to false, or download them once into the HF cache"
            ) from exc
        except TypeError as exc:  # a kwarg the architecture does not take
            raise ModelConfigError(
                f"timm {model_name!r} rejects vision_cfg.timm_kwargs {kwargs} ({exc}): remove the offending key"
            ) from exc
        head: OrderedDict[str, nn.Module] = OrderedDict()
        if proj != "none":
            self.trunk.reset_classifier(0, **({"global_pool": pool} if pool else {}))
            # what forward() now returns: the pre-logits width (MobileNetV3/V4 add a conv head), else the features
            width = getattr(self.trunk, "head_hidden_size", None) or self.trunk.num_features
            if proj == "linear":
                head["drop"] = nn.Dropout(drop)
                head["proj"] = nn.Linear(width, embed_dim, bias=proj_bias)
            else:
                head["mlp"] = Mlp(width, 2 * embed_dim, embed_dim, drop=(drop, 0), bias=(True, proj_bias))
        self.head = nn.Sequential(head)


def build_vision_tower(embed_dim: int, vision_cfg: dict[str, Any]) -> TimmVisionTower:
    """Build the vision tower from a model config's ``vision_cfg`` section."""
    return TimmVisionTower(
        vision_cfg["timm_model_name"],
        embed_dim=embed_dim,
        image_size=int(vision_cfg["image_size"]),
        pool=vision_cfg.get("timm_pool", "avg"),
        proj=vision_cfg.get("timm_proj", "linear") or "none",
        proj_bias=bool(vision_cfg.get("timm_proj_bias", False)),
        drop=float(vision_cfg.get("timm_drop", 0.0)),
        pretrained=bool(vision_cfg.get("timm_model_pretrained", False)),
        timm_kwargs=vision_cfg.get("timm_kwargs"),
    )
