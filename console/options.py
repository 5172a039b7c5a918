"""Typer options built from a settings dataclass, so that each default and help text is written once.

A field is an option when its metadata holds ``help`` (see :func:`pretrain.config.option`);
``option`` names the flag where it differs from ``--field-name``, ``min``/``max`` bound it.
The field's annotation is its type: a ``Literal`` becomes a choice that ``--help`` lists and
typer checks (exit status 2 naming the valid values). A ``bool`` field becomes a flag
without a ``--no-`` form, as its default is off.
"""

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])


def option_flag(field: dataclasses.Field) -> str:
    """The command-line flag of a documented field: its ``option`` metadata, else ``--field-name``."""
    return field.metadata.get("option", "--" + field.name.replace("_", "-"))


def documented_fields(settings: type) -> list[dataclasses.Field]:
    """The fields of the dataclass ``settings`` that are command-line options (their metadata holds ``help``)."""
    return [f for f in dataclasses.fields(settings) if "help" in f.metadata]


def option_parameters(settings: type) -> list[inspect.Parameter]:
    """One keyword parameter per documented field: ``Annotated[type, typer.Option(...)] = default``."""
    parameters = []
    for f in documented_fields(settings):
        if isinstance(f.type, str):
            raise TypeError(f"{settings.__name__}.{f.name}: the annotation {f.type!r} is a string; declare the "
                            f"settings in a module without `from __future__ import annotations`")
        if f.default is dataclasses.MISSING:
            raise TypeError(f"{settings.__name__}.{f.name}: an option needs a plain default value")
        if f.type is bool and f.default:
            raise TypeError(f"{settings.__name__}.{f.name}: a flag is off by default (name the opposite setting)")
        meta = f.metadata
        flag = typer.Option(option_flag(f), help=meta["help"], min=meta.get("min"), max=meta.get("max"))
        parameters.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default,
                                            annotation=Annotated[f.type, flag]))
    return parameters


def settings_options(settings: type, *, into: str) -> Callable[[F], F]:
    """Decorate a typer command whose parameter ``into`` takes a ``settings`` instance.

    The command line then shows one option per documented field of ``settings`` (after the
    command's own options); the decorated command receives them gathered into ``settings(...)``.
    """

    def decorate(command: F) -> F:
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
               for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != into]
        fields = option_parameters(settings)
        clash = {p.name for p in own} & {p.name for p in fields}
        if clash:
            raise TypeError(f"{command.__name__}: parameters {sorted(clash)} are also fields of {settings.__name__}")
        names = [p.name for p in fields]

        @functools.wraps(command)
        def run(**kwargs: Any) -> Any:
            values = {name: kwargs.pop(name) for name in names}
            return command(**kwargs, **{into: settings(**values)})

        parameters = own + fields
        run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run  # type: ignore[return-value]

    return decorate
