"""`bonesearch models`: the registry as a table and as JSON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bonesearch.models import list_models
from cli import app

runner = CliRunner()


def test_models_table_lists_every_architecture() -> None:
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    for name in list_models():
        assert name in result.output
    assert "vit_base_patch16_224" in result.output and "448 px, 1 ch" in result.output
    assert "BERT 12x768 from scratch" in result.output and "194.8 M" in result.output


def test_models_json() -> None:
    result = runner.invoke(app, ["models", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert list(rows) == list_models()
    tiny = rows["tiny"]
    assert (tiny["image_tower"], tiny["image_size"], tiny["in_chans"], tiny["embed_dim"]) == ("test_resnet", 64, 1, 64)
    assert tiny["params_total"] == tiny["params_image"] + tiny["params_text"] + 1
    assert rows["vitb16-drbert-336"]["image_size"] == 336
    assert rows["vitb16-drbert"]["text_source"] == "Dr-BERT/DrBERT-7GB"
    assert all(row["description"] for row in rows.values())
