from __future__ import annotations

import uuid
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import AfterValidator, AnyHttpUrl, Field, StringConstraints

from fleetyard.kit.currency import CurrencyCode
from fleetyard.kit.schemas import Name, ReadSchema, Schema

Slug = Annotated[
    str,
    StringConstraints(min_length=2, max_length=63, pattern=r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"),
]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


def _known_zone(value: str) -> str:
    if value not in available_timezones():
        raise ValueError("must be an IANA time zone name, such as Europe/Helsinki")
    return value


TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_known_zone),
    Field(description="IANA time zone: quiet hours and schedules are read in it."),
]
FeatureMap = Annotated[
    dict[Annotated[str, StringConstraints(max_length=64)], bool], Field(max_length=100)
]


class TenantLimits(Schema):
    max_vehicles: Annotated[int, Field(ge=0)] | None = None
    max_users: Annotated[int, Field(ge=0)] | None = None
    api_requests_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] = 600
    position_retention_days: Annotated[int, Field(ge=1, le=36_500)] | None = None


class Branding(Schema):
    primary_color: Colour | None = None
    logo_url: AnyHttpUrl | None = None


class TenantCreate(Schema):
    slug: Slug
    name: Name
    features: FeatureMap = {}
    limits: TenantLimits = TenantLimits()
    branding: Branding = Branding()
    time_zone: TimeZone = "UTC"


class TenantUpdate(Schema):
    name: Name | None = None
    branding: Branding | None = None
    time_zone: TimeZone | None = None
    currency: CurrencyCode | None = None


class TenantRead(ReadSchema):
    id: uuid.UUID
    slug: str
    name: str
    features: dict[str, Any]
    limits: TenantLimits
    branding: Branding
    time_zone: str = "UTC"
    currency: str = "EUR"


def tenant_out(tenant: Any) -> TenantRead:
    return TenantRead(
        id=tenant.id,
        slug=tenant.slug,
        name=tenant.name,
        features=tenant.features,
        limits=TenantLimits(
            max_vehicles=tenant.max_vehicles,
            max_users=tenant.max_users,
            api_requests_per_minute=tenant.api_requests_per_minute,
            position_retention_days=tenant.position_retention_days,
        ),
        branding=Branding.model_validate(
            {"primary_color": tenant.primary_color, "logo_url": tenant.logo_url}
        ),
        time_zone=tenant.time_zone or "UTC",
        currency=tenant.currency or "EUR",
    )
