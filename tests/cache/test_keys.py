"""Keys and tags can't be made without a tenant, and two tenants never share one."""

from __future__ import annotations

import uuid

import pytest

from fleetyard.cache.keys import CacheKey, Tag
from fleetyard.kit.ids import TenantId

A = TenantId(uuid.uuid4())
B = TenantId(uuid.uuid4())


def test_every_key_and_tag_carries_its_tenant() -> None:
    vehicle = uuid.uuid4()
    params = [("status", "active"), ("limit", "50")]
    for make in (
        lambda t: CacheKey.record(t, "vehicle", vehicle),
        lambda t: CacheKey.listing(t, "vehicle", params),
        lambda t: CacheKey.aggregate(t, "fleet_summary"),
        lambda t: Tag.record(t, "vehicle", vehicle),
        lambda t: Tag.lists(t, "vehicle"),
        lambda t: Tag.entity(t, "vehicle"),
        lambda t: Tag.aggregates(t),
    ):
        a, b = str(make(A)), str(make(B))
        assert str(A) in a and str(B) in b
        assert a != b


def test_a_key_without_a_tenant_uuid_is_refused() -> None:
    for not_a_tenant in (None, "", str(A), 42):
        with pytest.raises(TypeError):
            CacheKey.aggregate(not_a_tenant, "fleet_summary")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            Tag.aggregates(not_a_tenant)  # type: ignore[arg-type]


def test_list_keys_depend_on_every_parameter_not_on_their_order() -> None:
    one = CacheKey.listing(A, "vehicle", [("status", "active"), ("limit", "50")])
    same = CacheKey.listing(A, "vehicle", [("limit", "50"), ("status", "active")])
    other = CacheKey.listing(A, "vehicle", [("status", "active"), ("limit", "51")])
    assert one == same
    assert one != other
