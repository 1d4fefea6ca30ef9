"""Command-line options derived from the library's options dataclasses, declared once.

A command names a parameter by its dataclass (``options: PipelineOptions``) and
:func:`expand` gives it one option per field, with the field's default and its
:class:`~pipeline.options.Flag` (help, choices, bounds); the command's body receives the
dataclass built from them. ``Annotated[PipelineOptions, Omit("window_docs")]`` leaves a
field out of one command (it keeps its default there), ``Only(...)`` takes just those. No
option is written twice, and no local variable of a command can become an option by
sharing its name.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass
from enum import Enum
from typing import Annotated, Any, Optional, TypeVar, get_args, get_origin

import typer

from ..options import CLI, Flag

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Omit:
    """Fields of an options dataclass a command does not take (they keep their
    defaults)."""

    names: tuple[str, ...]

    def __init__(self, *names: str):
        object.__setattr__(self, "names", names)


@dataclass(frozen=True)
class Only:
    """The only fields of an options dataclass a command takes."""

    names: tuple[str, ...]

    def __init__(self, *names: str):
        object.__setattr__(self, "names", names)


def flag_name(f: Field) -> str:
    """The command-line flag of a field: ``--source-lang`` for ``source_lang``."""
    flag: Flag = f.metadata[CLI]
    return flag.name or "--" + f.name.replace("_", "-")


def _option_type(f: Field, hint: Any) -> Any:
    """The type Typer reads a field's value as: a choice of its flag's ``choices`` (an
    Enum of them), a list for a repeatable option (a tuple field), optional where ``None``
    is allowed."""
    flag: Flag = f.metadata[CLI]
    args = get_args(hint)
    optional = type(None) in args
    base = next((a for a in args if a is not type(None)), hint) if optional else hint
    repeated = get_origin(base) is tuple
    if repeated:
        base = get_args(base)[0]
    if flag.choices:
        base = Enum(f.name.title().replace("_", ""), {c: c for c in flag.choices}, type=str)
    if repeated:
        return Optional[list[base]]  # type: ignore[valid-type]
    return Optional[base] if optional else base


def _parameter(f: Field, hint: Any) -> inspect.Parameter:
    flag: Flag = f.metadata[CLI]
    extra = {k: v for k, v in (("min", flag.min), ("max", flag.max)) if v is not None}
    option = typer.Option(
        flag_name(f),
        *flag.aliases,
        help=flag.help,
        metavar=flag.metavar,
        envvar=flag.envvar,
        show_envvar=flag.envvar is not None,
        **extra,
    )
    default = f.default if f.default is not MISSING else None
    if isinstance(default, tuple):  # a repeatable option: the list Typer gives, or None
        default = None
    annotation = Annotated[_option_type(f, hint), option]  # type: ignore[valid-type]
    return inspect.Parameter(
        f.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _group(hint: Any) -> tuple[type, list[Field]] | None:
    """The options dataclass a parameter names, and the fields it takes; None for any
    other parameter."""
    extras: list[Any] = []
    if get_origin(hint) is Annotated:
        hint, *extras = get_args(hint)
    if not (isinstance(hint, type) and is_dataclass(hint)):
        return None
    taken = [f for f in fields(hint) if CLI in f.metadata]
    for extra in extras:
        if isinstance(extra, Omit):
            taken = [f for f in taken if f.name not in extra.names]
        elif isinstance(extra, Only):
            unknown = set(extra.names) - {f.name for f in taken}
            assert not unknown, f"{hint.__name__} has no options {sorted(unknown)}"
            taken = [f for f in taken if f.name in extra.names]
    return (hint, taken) if taken else None


def _value(f: Field, given: Any) -> Any:
    """A field's value from what Typer gave: a choice's text, a tuple of a repeatable
    option's values (each once)."""
    if isinstance(f.default, tuple):
        return f.default if given is None else tuple(dict.fromkeys(map(_plain, given)))
    return _plain(given)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def expand(func: F) -> F:
    """``func`` as a command whose options-dataclass parameters are given field by field
    (see the module's docstring)."""
    hints = typing.get_type_hints(func, include_extras=True)
    signature = inspect.signature(func)
    groups: dict[str, tuple[type, list[Field]]] = {}
    parameters: list[inspect.Parameter] = []
    for p in signature.parameters.values():
        group = _group(hints.get(p.name))
        if group is None:
            parameters.append(
                p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints[p.name])
            )
            continue
        cls, taken = group
        field_hints = typing.get_type_hints(cls)
        groups[p.name] = (cls, taken)
        parameters += [_parameter(f, field_hints[f.name]) for f in taken]

    def command(**given: Any) -> Any:
        for name, (cls, taken) in groups.items():
            given[name] = cls(**{f.name: _value(f, given.pop(f.name)) for f in taken})
        return func(**given)

    command.__name__, command.__doc__ = func.__name__, func.__doc__
    command.__module__, command.__qualname__ = func.__module__, func.__qualname__
    command.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    return typing.cast(F, command)
