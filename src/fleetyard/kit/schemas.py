"""Pydantic building blocks shared by every domain's schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^,]+$")
]
Version = Annotated[int, Field(ge=1, le=2_147_483_647)]


class Schema(BaseModel):
    """Input schemas refuse unknown fields, so a typo is an error and not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


S = TypeVar("S", bound=BaseModel)


def refuse_nulls(*fields: str) -> Callable[[S], S]:
    """For partial updates: leaving a field out keeps it, but null can't clear a required one."""

    def check(model: S) -> S:
        nulls = [f for f in fields if f in model.model_fields_set and getattr(model, f) is None]
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return model

    return check
