"""The command line's options: choices that --help lists and typer checks, pretrain's options read from TrainConfig."""

from __future__ import annotations

import dataclasses
import re
from typing import get_args

import pytest
from typer.testing import CliRunner

import cli
from cli import app
from console.options import documented_fields, option_flag
from pipelines.demo import DemoConfig
from pretrain.config import TrainConfig

runner = CliRunner()
WIDE = {"COLUMNS": "250"}  # one help row per option line (wrapped help text continues below it)
ROW = re.compile(r"^│\s+(?:\*\s+)?(--[a-z][a-z0-9-]*)")


def help_rows(*command: str) -> dict[str, str]:
    """``--flag`` → the text of its row in ``bonesearch COMMAND --help`` (wrapped lines joined)."""
    result = runner.invoke(app, [*command, "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    rows: dict[str, str] = {}
    flag = None
    for line in result.output.splitlines():
        match = ROW.match(line)
        if match:
            flag = match.group(1)
            rows[flag] = ""
        if flag is not None and line.startswith("│"):
            rows[flag] += " " + line.strip("│ ")
    return {k: " ".join(v.split()) for k, v in rows.items()}


def flat(text: str) -> str:
    """Output with the error box's borders and line breaks removed."""
    return " ".join(text.replace("│", " ").split())


def test_help_lists_the_choices_of_burned_in_and_optimizer():
    assert "<exclude|keep>" in help_rows("ingest")["--burned-in"]
    assert "<adamw|lion>" in help_rows("pretrain")["--optimizer"]
    assert "<image|study>" in help_rows("query")["--group-by"]
    assert "<local|ray>" in help_rows("index")["--engine"]


@pytest.mark.parametrize(("args", "value", "valid"), [
    (["ingest", "{tmp}", "--store", "{tmp}/s", "--burned-in"], "blur", "'exclude', 'keep'"),
    (["ingest", "{tmp}", "--store", "{tmp}/s", "--engine"], "spark", "'local', 'ray'"),
    (["pretrain", "--store", "{tmp}", "--optimizer"], "sgd", "'adamw', 'lion'"),
    (["pretrain", "--store", "{tmp}", "--loss"], "triplet", "'clip', 'siglip'"),
    (["pretrain", "--store", "{tmp}", "--precision"], "fp8", "'auto', 'bf16', 'fp32'"),
    (["pretrain", "--store", "{tmp}", "--text-mode"], "impression",
     "'technique+findings+conclusion', 'findings+conclusion', 'full'"),
    (["query", "fracture", "--store", "{tmp}", "--group-by"], "patient", "'image', 'study'"),
    (["deid-text", "{tmp}/in.jsonl", "{tmp}/out.jsonl", "--mode"], "tags", "'surrogate', 'tag'"),
    (["eval", "knn", "--data", "{tmp}", "--task"], "knee", "'kl-grade', 'bone-age'"),
    (["eval", "knn", "--data", "{tmp}", "--task", "mura", "--encoder"], "clip", "'pixels', 'random', 'checkpoint'"),
])
def test_a_wrong_choice_exits_2_naming_the_valid_ones(tmp_path, args, value, valid):
    (tmp_path / "in.jsonl").write_text("", encoding="utf-8")
    result = runner.invoke(app, [a.format(tmp=tmp_path) for a in args] + [value])
    assert result.exit_code == 2, result.output
    assert f"'{value}' is not one of {valid}" in flat(result.output)


def test_pretrain_help_shows_every_documented_field_with_its_default():
    rows = help_rows("pretrain")
    fields = documented_fields(TrainConfig)
    undocumented = {f.name for f in dataclasses.fields(TrainConfig)} - {f.name for f in fields}
    assert undocumented == {"lock_image_unlocked_groups", "lock_text_unlocked_layers", "augment"}
    for field in fields:
        row = rows[option_flag(field)]
        assert " ".join(field.metadata["help"].split()) in row
        if field.default is not None and field.type is not bool:
            assert f"[default: {field.default}]" in row, (field.name, row)


def test_pretrain_keeps_the_option_names_users_know():
    known = {"--store", "--model", "--out", "--epochs", "--max-steps", "--minutes", "--batch-size", "--accum-steps",
             "--lr", "--weight-decay", "--warmup", "--optimizer", "--loss", "--text-model", "--text-mode",
             "--held-out", "--val-every", "--early-stop", "--save-every", "--resume", "--lock-image", "--lock-text",
             "--text-warmup", "--hard-negatives", "--full-text-p", "--grad-checkpointing", "--compile", "--workers",
             "--precision", "--seed", "--device", "--help"}
    assert set(help_rows("pretrain")) == known


def test_pretrain_passes_the_options_as_a_train_config(monkeypatch, tmp_path):
    import pretrain.distributed
    import pretrain.loop

    received = {}

    def fake_train(store, out_dir, config, resume=False):
        received.update(store=store, out_dir=out_dir, config=config, resume=resume)

    monkeypatch.setattr(pretrain.loop, "train_with_progress_bar", fake_train)
    monkeypatch.setattr(pretrain.distributed, "is_main_process", lambda: False)  # a rank that prints nothing
    result = runner.invoke(app, ["pretrain", "--store", str(tmp_path), "--out", str(tmp_path / "run"), "--resume",
                                 "--text-model", "local-dir:tower", "--minutes", "2.5", "--warmup", "0.1",
                                 "--held-out", "0.3", "--early-stop", "2", "--text-warmup", "5", "--compile",
                                 "--lock-image", "--optimizer", "lion", "--text-mode", "full"])
    assert result.exit_code == 0, result.output
    assert received["config"] == TrainConfig(text_source="local-dir:tower", max_minutes=2.5, warmup_fraction=0.1,
                                             held_out_fraction=0.3, early_stop_patience=2, text_warmup_steps=5,
                                             compile=True, lock_image=True, optimizer="lion", text_mode="full")
    assert received["resume"] is True and received["out_dir"] == tmp_path / "run"
    assert result.output == ""


def test_demo_options_come_from_demo_config():
    rows = help_rows("demo")
    for field in dataclasses.fields(DemoConfig):
        assert f"[default: {field.default}]" in rows["--" + field.name]


def test_cli_choices_match_the_libraries():
    """Choices written in cli.py where importing the library's own list would load torch or spaCy."""
    from bonesearch.deid.burned_in import BurnedInPolicy
    from bonesearch.deid.render import MODES
    from bonesearch.downstream import TASKS
    from bonesearch.downstream.encoders import ENCODER_NAMES
    from bonesearch.errors import BonesearchError
    from bonesearch.search.engine import GroupBy

    assert get_args(cli.GroupBy) == get_args(GroupBy)
    assert get_args(cli.DeidMode) == MODES
    assert get_args(cli.Task) == tuple(TASKS)
    assert tuple(e.value for e in cli.EncoderName) == ENCODER_NAMES
    for flagged in get_args(cli.BurnedIn):
        BurnedInPolicy(flagged=flagged)
    with pytest.raises((BonesearchError, ValueError)):
        BurnedInPolicy(flagged="blur")


def test_main_process_is_rank_0_or_a_process_alone(monkeypatch):
    from pretrain.distributed import is_main_process

    monkeypatch.delenv("RANK", raising=False)
    assert is_main_process()
    monkeypatch.setenv("RANK", "0")
    assert is_main_process()
    monkeypatch.setenv("RANK", "1")
    assert not is_main_process()


def test_cli_lines_stay_short():
    from pathlib import Path

    long = [n for n, line in enumerate(Path(cli.__file__).read_text().splitlines(), 1) if len(line) > 120]
    assert not long, f"cli.py lines over 120 characters: {long}"


def test_a_wrong_store_path_is_answered_before_any_heavy_import(tmp_path):
    """`query` and `similar` check --store first: no DuckDB, NumPy or torch is imported to say it is wrong."""
    import subprocess
    import sys

    code = ("import sys; from typer.testing import CliRunner; from cli import app; "
            f"a = CliRunner().invoke(app, ['query', 'fracture', '--store', {str(tmp_path / 'nowhere')!r}]); "
            f"b = CliRunner().invoke(app, ['similar', '--image-id', '1', '--store', {str(tmp_path / 'nowhere')!r}]); "
            "print(a.exit_code, b.exit_code, 'no store at' in a.output and 'no store at' in b.output, "
            "sorted(m for m in ('duckdb', 'numpy', 'torch') if m in sys.modules))")
    from pathlib import Path

    done = subprocess.run([sys.executable, "-c", code], cwd=Path(cli.__file__).parent, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip().split(maxsplit=3) == ["2", "2", "True", "[]"], done.stdout + done.stderr
