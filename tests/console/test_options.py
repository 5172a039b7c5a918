"""Typer options built from a settings dataclass: names, bounds, flags, choices, and the settings handed over."""

from dataclasses import dataclass
from typing import Literal

import pytest
import typer
from typer.testing import CliRunner

from console.options import settings_options
from pretrain.config import option

runner = CliRunner()


@dataclass
class Settings:
    size: int = option(3, "How many.", min=1, max=10)
    minutes: float | None = option(None, "Time budget.", name="--budget")
    fast: bool = option(False, "Go fast.")
    mode: Literal["a", "b"] = option("a", "Which mode.")
    internal: int = 7  # no help: not an option


def app_for(received: dict) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @settings_options(Settings, into="settings")
    def run(settings: Settings, name: str = "x") -> None:
        received.update(settings=settings, name=name)

    @app.command()
    def other() -> None:  # a second command keeps typer from folding `run` into the app itself
        pass

    return app


def test_options_reach_the_command_as_one_settings_object():
    received: dict = {}
    result = runner.invoke(app_for(received), ["run", "--size", "5", "--budget", "1.5", "--fast", "--mode", "b",
                                               "--name", "y"])
    assert result.exit_code == 0, result.output
    assert received == {"settings": Settings(size=5, minutes=1.5, fast=True, mode="b"), "name": "y"}
    runner.invoke(app_for(received), ["run"])
    assert received["settings"] == Settings()


@pytest.mark.parametrize("args", [["--size", "0"], ["--size", "11"], ["--mode", "c"], ["--no-fast"],
                                  ["--minutes", "2"], ["--internal", "1"]])
def test_bounds_choices_and_names_are_checked(args):
    result = runner.invoke(app_for({}), ["run", *args])
    assert result.exit_code == 2, result.output


def test_help_shows_each_option_once_with_its_help_and_default():
    output = " ".join(runner.invoke(app_for({}), ["run", "--help"], env={"COLUMNS": "200"}).output.split())
    for text in ("--size", "How many.", "[default: 3]", "--budget", "Time budget.", "--fast", "<a|b>",
                 "[default: a]", "--name"):
        assert text in output
    assert "--internal" not in output and "--minutes" not in output


def test_string_annotations_clashing_names_and_flags_on_by_default_are_refused():
    @dataclass
    class Postponed:
        size: "int" = option(3, "How many.")

    with pytest.raises(TypeError, match="is a string"):
        settings_options(Postponed, into="s")(lambda s: None)

    def clashing(settings: Settings, size: int = 1) -> None:
        pass

    with pytest.raises(TypeError, match="also fields"):
        settings_options(Settings, into="settings")(clashing)

    @dataclass
    class OnByDefault:
        checks: bool = option(True, "Run the checks.")

    with pytest.raises(TypeError, match="off by default"):
        settings_options(OnByDefault, into="s")(lambda s: None)
