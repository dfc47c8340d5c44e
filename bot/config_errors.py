"""A settings validation error as one line: the variable, the value given (never a secret's) and what it accepts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, get_args, get_origin

import annotated_types as at
from pydantic import SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

_KINDS: dict[Any, str] = {
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    str: "text",
    Path: "a folder path",
    dt.time: "a time of day such as 08:00",
}


def explain(exc: ValidationError, settings_cls: type[BaseSettings]) -> str:
    """One line naming every invalid setting in `exc` and what it takes; "; " joins several."""
    fields = {(info.alias or name): info for name, info in settings_cls.model_fields.items()}
    fields.update(settings_cls.model_fields)  # a value passed by field name reports that name
    lines: dict[str, str] = {}  # one line per variable, even when a list setting has several bad items
    for error in exc.errors():
        info = fields.get(str(error["loc"][0])) if error["loc"] else None
        if info is not None:
            variable = info.alias or str(error["loc"][0])
            lines.setdefault(variable, _line(variable, info, error))
    return "; ".join(lines.values()) or str(exc).splitlines()[0]


def _line(variable: str, info: FieldInfo, error: Any) -> str:
    given = "" if _secret(info) or not isinstance(error.get("input"), str | int | float) else f"={error['input']}"
    kind = str(error.get("type", ""))
    if kind == "value_error":  # our own validator explains itself, value included ("unknown time zone ...")
        return f"{variable}: {str(error['msg']).removeprefix('Value error, ')}"
    return f"{variable}{given} is invalid: it takes {accepts(info)}"


def accepts(info: FieldInfo) -> str:
    """What a setting accepts, in words: its kind and bounds ("a whole number from 1 to 20")."""
    annotation = _base(info.annotation)
    if get_origin(annotation) is list:
        return "ids (whole numbers) separated by commas"
    kind = _KINDS.get(annotation, "text")
    bounds = _bounds(info)
    return f"{kind} {bounds}" if bounds else kind


def _base(annotation: Any) -> Any:
    """The type inside `X | None` (and inside Annotated, which pydantic has already unwrapped)."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not list and len(args) == 1:
        return args[0]
    return annotation


def _bounds(info: FieldInfo) -> str:
    low = next((f"{m.ge}" for m in info.metadata if isinstance(m, at.Ge)), None)
    above = next((f"{m.gt}" for m in info.metadata if isinstance(m, at.Gt)), None)
    high = next((f"{m.le}" for m in info.metadata if isinstance(m, at.Le)), None)
    if low is not None and high is not None:
        return f"from {low} to {high}"
    if low is not None:
        return f"of at least {low}"
    if above is not None:
        return f"above {above}"
    return f"of at most {high}" if high is not None else ""


def _secret(info: FieldInfo) -> bool:
    return _base(info.annotation) is SecretStr
