"""The timm vision tower adapter: extra timm kwargs, heads with a pre-logits layer, projections."""

from __future__ import annotations

import pytest
import torch
from open_clip.timm_model import TimmModel

from bonesearch.errors import ModelConfigError
from bonesearch.models.towers import TimmVisionTower, build_vision_tower


@pytest.mark.parametrize(
    ("name", "pool", "proj", "kwargs"),
    [
        ("mobilenetv3_small_050", "avg", "linear", {"in_chans": 1}),  # conv head: pre-logits width != num_features
        ("test_vit", "token", "linear", {"in_chans": 1, "img_size": 48}),  # a ViT at another input size
        ("test_resnet", "avg", "mlp", {"in_chans": 1}),
        ("test_resnet", "avg", "none", {"in_chans": 1, "drop_path_rate": 0.1}),
    ],
)
def test_tower_outputs_embed_dim(name: str, pool: str, proj: str, kwargs: dict) -> None:
    tower = TimmVisionTower(name, embed_dim=24, image_size=48, pool=pool, proj=proj, timm_kwargs=kwargs)
    assert isinstance(tower, TimmModel)
    assert tower.image_size == (48, 48)
    out = tower.eval()(torch.randn(2, 1, 48, 48))
    assert out.shape == (2, 24)
    tower.lock()  # open_clip's TimmModel methods work on the adapter
    assert not any(p.requires_grad for p in tower.trunk.parameters())


def test_bad_timm_config_is_a_config_error() -> None:
    with pytest.raises(ModelConfigError, match="timm_model_name"):
        build_vision_tower(8, {"timm_model_name": "no_such_net", "image_size": 32})
    with pytest.raises(ModelConfigError, match="timm_kwargs"):
        build_vision_tower(8, {"timm_model_name": "test_resnet", "image_size": 32, "timm_kwargs": {"bogus_kw": 1}})
