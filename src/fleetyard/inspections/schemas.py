"""Inspection (DVIR) shapes: templates and their items, a submission with its answers and
photos, the stored inspection, and a defect from open to signed off."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints, model_validator

from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version, refuse_nulls
from fleetyard.vehicles.schemas import VehicleType

MAX_ITEMS = 100
MAX_PHOTOS_PER_ITEM = 4
MAX_PHOTOS = 10
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Section = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Odometer = Annotated[float, Field(ge=0, le=10_000_000)]


class InspectionKind(StrEnum):
    PRE_TRIP = "pre_trip"
    POST_TRIP = "post_trip"


class ItemResult(StrEnum):
    PASS = "pass"  # noqa: S105 - an answer, not a password
    FAIL = "fail"
    NA = "na"


class DefectStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    WORK_ORDER_CREATED = "work_order_created"
    RESOLVED = "resolved"
    NO_REPAIR_NEEDED = "no_repair_needed"


SIGNED_OFF = frozenset({DefectStatus.RESOLVED, DefectStatus.NO_REPAIR_NEEDED})


# templates ---------------------------------------------------------------------------------
class TemplateItemIn(Schema):
    id: ItemId | None = Field(
        default=None, description="Kept across edits so answers stay linked; new when left out."
    )
    section: Section = ""
    label: Label
    critical: bool = Field(
        default=False, description="A failure takes the vehicle out of service until signed off."
    )


Items = Annotated[list[TemplateItemIn], Field(min_length=1, max_length=MAX_ITEMS)]


def _unique_item_ids(items: list[TemplateItemIn] | None) -> None:
    ids = [i.id for i in items or () if i.id is not None]
    if len(ids) != len(set(ids)):
        raise ValueError("item ids must be unique")


class TemplateCreate(Schema):
    name: Name
    kind: InspectionKind
    vehicle_type: VehicleType | None = Field(
        default=None, description="The vehicle type it is for; null: any type without its own."
    )
    items: Items
    active: bool = True

    @model_validator(mode="after")
    def _ids(self) -> TemplateCreate:
        _unique_item_ids(self.items)
        return self


class TemplateUpdate(Schema):
    version: Version | None = None
    name: Name | None = None
    items: Items | None = None
    active: bool | None = None

    _required = model_validator(mode="after")(refuse_nulls("name", "items", "active"))

    @model_validator(mode="after")
    def _ids(self) -> TemplateUpdate:
        _unique_item_ids(self.items)
        return self


class TemplateItem(ReadSchema):
    id: str
    section: str
    label: str
    critical: bool


class Template(ReadSchema):
    id: uuid.UUID
    version: int
    name: str
    kind: InspectionKind
    vehicle_type: str | None
    items: list[TemplateItem]
    active: bool
    created_at: datetime
    updated_at: datetime


# submitting -----------------------------------------------------------------------------------
class PhotoIn(Schema):
    # a photo's base64 is far longer than any other text: allowed past the usual cap
    model_config = ConfigDict(extra="forbid", str_max_length=40_000_000)

    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]
    data: str = Field(
        description="The image, base64. Checked by its first bytes (JPEG, PNG, WebP, HEIC), "
        "at most 10 MB decoded.",
        max_length=40_000_000,
    )


class AnswerIn(Schema):
    item_id: ItemId
    result: ItemResult
    note: Note = ""
    photos: Annotated[list[PhotoIn], Field(max_length=MAX_PHOTOS_PER_ITEM)] = []

    @model_validator(mode="after")
    def _photos_on_failures(self) -> AnswerIn:
        if self.photos and self.result is not ItemResult.FAIL:
            raise ValueError("photos go with a failed item")
        return self


class InspectionSubmit(Schema):
    vehicle_id: uuid.UUID
    template_id: uuid.UUID
    kind: InspectionKind
    performed_at: AwareDatetime | None = Field(
        default=None,
        description="When it was filled in (an offline submission arrives later); now if left out.",
    )
    odometer_km: Odometer | None = Field(
        default=None,
        description="Only when no tracker reports it: read from the vehicle if left out.",
    )
    driver_id: uuid.UUID | None = None
    notes: Note = ""
    answers: Annotated[list[AnswerIn], Field(min_length=1, max_length=MAX_ITEMS)]

    @model_validator(mode="after")
    def _limits(self) -> InspectionSubmit:
        ids = [a.item_id for a in self.answers]
        if len(ids) != len(set(ids)):
            raise ValueError("each item is answered once")
        if sum(len(a.photos) for a in self.answers) > MAX_PHOTOS:
            raise ValueError(f"at most {MAX_PHOTOS} photos per inspection")
        return self


class Answer(ReadSchema):
    item_id: str
    section: str
    label: str
    critical: bool
    result: ItemResult
    note: str


class Inspection(ReadSchema):
    id: uuid.UUID
    version: int
    vehicle_id: uuid.UUID
    template_id: uuid.UUID
    kind: InspectionKind
    user_id: uuid.UUID | None
    driver_id: uuid.UUID | None
    odometer_km: Decimal | None
    odometer_source: Literal["tracker", "vehicle", "entered", "none"]
    performed_at: datetime
    results: list[Answer]
    failed_count: int
    critical_count: int
    notes: str
    created_at: datetime
    defects: list[Defect] = []


class InspectionForm(Schema):
    """What the driver's form needs: the checklist for the vehicle and the meter reading."""

    vehicle_id: uuid.UUID
    kind: InspectionKind
    template: Template
    odometer_km: Decimal | None
    odometer_source: Literal["tracker", "vehicle", "none"]


# defects ------------------------------------------------------------------------------------
class Photo(ReadSchema):
    id: uuid.UUID
    content_type: str
    size_bytes: int


class Defect(ReadSchema):
    id: uuid.UUID
    version: int
    inspection_id: uuid.UUID
    vehicle_id: uuid.UUID
    item_id: str
    section: str
    label: str
    critical: bool
    note: str
    status: DefectStatus
    out_of_service: bool
    work_order_id: uuid.UUID | None
    alert_id: uuid.UUID | None
    acknowledged_by: uuid.UUID | None
    acknowledged_at: datetime | None
    signed_off_by: uuid.UUID | None
    signed_off_at: datetime | None
    sign_off_note: str
    created_at: datetime
    updated_at: datetime
    photos: list[Photo] = []


class DefectAcknowledge(Schema):
    version: Version | None = None


class DefectWorkOrder(Schema):
    version: Version | None = None
    note: Note = ""


class DefectSignOff(Schema):
    """A mechanic's sign-off: repaired, or no repair needed; who and when are the caller and now."""

    version: Version | None = None
    outcome: Literal["resolved", "no_repair_needed"]
    note: Note = ""


Inspection.model_rebuild()
