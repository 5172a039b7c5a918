"""Grey radiographs: a 1-channel stem loaded from RGB weights (timm sums the filters) equals
the 3-channel network on the replicated grey image; preprocessing replicates for in_chans 3."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import timm
import torch
from safetensors.torch import save_file

from bonesearch.models import create_model, get_model_config
from bonesearch.models.towers import build_vision_tower


@pytest.fixture(scope="module")
def rgb_vit(tmp_path_factory: pytest.TempPathFactory) -> tuple[torch.nn.Module, Path]:
    """A 3-channel timm test ViT at 48 px with its weights saved as an offline 'pretrained' file."""
    torch.manual_seed(0)
    model = timm.create_model("test_vit", in_chans=3, img_size=48).eval()
    path = tmp_path_factory.mktemp("timm") / "test_vit_rgb.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    return model, path


def _grey_tower(weights: Path, size: int):
    return build_vision_tower(16, {
        "timm_model_name": "test_vit", "image_size": size, "timm_pool": "token", "timm_model_pretrained": True,
        "timm_kwargs": {"in_chans": 1, "img_size": size, "pretrained_cfg_overlay": {"file": str(weights)}},
    }).eval()


def test_one_channel_stem_sums_the_rgb_filters(rgb_vit) -> None:
    rgb, weights = rgb_vit
    grey = _grey_tower(weights, 48)
    w_rgb, w_grey = rgb.patch_embed.proj.weight, grey.trunk.patch_embed.proj.weight
    assert w_rgb.shape[1] == 3 and w_grey.shape[1] == 1
    assert torch.allclose(w_grey, w_rgb.sum(dim=1, keepdim=True))
    # so the grey image through the 1-channel stem = its 3-channel replica through the RGB network
    x = torch.rand(2, 1, 48, 48)
    rgb_trunk = timm.create_model("test_vit", in_chans=3, img_size=48, num_classes=0, global_pool="token").eval()
    rgb_trunk.load_state_dict({k: v for k, v in rgb.state_dict().items() if not k.startswith("head.")})
    with torch.no_grad():
        assert torch.allclose(grey.trunk(x), rgb_trunk(x.expand(-1, 3, -1, -1)), atol=1e-5)


def test_pretrained_vit_loads_at_another_resolution(rgb_vit) -> None:
    rgb, weights = rgb_vit
    grey = _grey_tower(weights, 64)  # as vitb16-drbert-336/448 load 224 px weights
    assert rgb.pos_embed.shape[1] == (48 // 16) ** 2 + 1
    assert grey.trunk.pos_embed.shape[1] == (64 // 16) ** 2 + 1  # resampled by timm
    assert torch.equal(grey.trunk.blocks[0].attn.qkv.weight, rgb.blocks[0].attn.qkv.weight)
    assert grey(torch.rand(1, 1, 64, 64)).shape == (1, 16)


def test_three_channel_config_replicates_the_grey_channel(reports: list[str], images: np.ndarray) -> None:
    cfg = get_model_config("tiny")
    cfg["vision_cfg"]["timm_kwargs"]["in_chans"] = 3
    cfg["preprocess_cfg"].update(mean=[0.45, 0.45, 0.45], std=[0.25, 0.25, 0.25])
    clip = create_model(cfg, reports=reports)
    x = clip.preprocess_images(images)
    assert x.shape == (6, 3, 64, 64)
    assert torch.equal(x[:, 0], x[:, 1]) and torch.equal(x[:, 0], x[:, 2])
