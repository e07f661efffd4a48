"""Schemathesis over the app's own OpenAPI, in process.

Every operation is fuzzed with schema-conforming (positive) and schema-breaking (negative)
requests, sent with tenant A's or tenant B's owner key. Whatever is sent: no 5xx, every 4xx
in the error envelope, responses that match the schema, and nothing of tenant A's — record ids,
VINs, plates — in any answer tenant B gets, even when B names A's ids in the path.

The module runs in one transaction rolled back at its end, so nothing it creates survives.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import httpx
import jsonschema_rs
import pytest
import requests
import schemathesis
from hypothesis import event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from fleetyard.app import Role, create_app
from fleetyard.config import Environment, Settings
from tests.conftest import Tenants
from tests.fuzz.conftest import FUZZ_SETTINGS, assert_well_behaved, describe
from tests.fuzz.seed import STREAMING, Seed

MAX_EXAMPLES = 50
BASE_URL = "http://testserver"

# The schema is read from the app object, not served: serving it would start the app in a
# background thread (its loops trying to reach the unused database), and a thread building
# ASTs beside pytest's assertion rewriting trips CPython 3.11's "AST constructor recursion
# depth mismatch" (gh-106905) while later test files are collected.
_SCHEMA_APP = create_app(
    Settings(
        env=Environment.TEST,
        secret_key="schema-only-secret-key-0123456789abcdef",
        database_url="postgresql://schema-only@127.0.0.1/unused",
        webhooks_enabled=False,  # no dispatcher for an app that only shows its schema
        notifications_enabled=False,
        reports_enabled=False,
    ),
    role=Role.API,
)
SCHEMA: OpenApiSchema = schemathesis.openapi.from_dict(_SCHEMA_APP.openapi())
OPERATIONS = {
    result.ok().label: result.ok()
    for result in SCHEMA.get_all_operations()
    if result.ok().path not in STREAMING
}


def _can_break(label: str) -> bool:
    """Negative cases need something to break: a parameter or a body."""
    operation = OPERATIONS[label]
    return any(True for _ in operation.iter_parameters()) or len(operation.body) > 0


RUNS = [
    pytest.param(label, mode, id=f"{label}-{mode.value}")
    for label in sorted(OPERATIONS)
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or _can_break(label)
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@cache
def case_strategy(label: str, mode: GenerationMode) -> st.SearchStrategy[Case]:
    return OPERATIONS[label].as_strategy(generation_mode=mode)


# Sending a schemathesis case through the test's own ASGI client ---------------------------------
def to_httpx(case: Case, headers: dict[str, str]) -> dict[str, Any]:
    """Serialise exactly as schemathesis would (requests), then replay the bytes with httpx."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        cookies=kwargs.get("cookies"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
    ).prepare()
    body = prepared.body
    return {
        "method": prepared.method,
        "url": prepared.url,
        "headers": dict(prepared.headers),
        "content": body.encode() if isinstance(body, str) else body,
    }


def assert_no_tenant_a_data(response: httpx.Response, seed: Seed) -> None:
    request_text = f"{response.request.url} {response.request.content!r}".lower()
    echoed = {t for t in seed.tokens() if t.lower() in request_text}
    text = response.text.lower()
    leaked = sorted(t for t in seed.tokens() - echoed if t.lower() in text)
    assert not leaked, f"tenant B saw tenant A's {leaked}\n{describe(response)}"


# Fields that reference a record, and the collection of A's they point into (None: any id).
REFERENCES: dict[str, str | None] = {
    "group_id": "/api/v1/groups",
    "parent_id": "/api/v1/groups",
    "vehicle_id": "/api/v1/vehicles",
    "assigned_vehicle_id": "/api/v1/vehicles",
    "driver_id": "/api/v1/drivers",
    "device_id": "/api/v1/devices",
    "reservation_id": "/api/v1/reservations",
    "user_id": None,
    "entity_id": None,
}


def _a_ids(seed: Seed, collection: str | None) -> list[str]:
    return sorted(seed.records.get(collection or "") or seed.ids)


def aim_at_a(case: Case, data: st.DataObject, seed: Seed) -> tuple[bool, bool]:
    """Swap ids in the request for A's: in the path, in query filters, in body references.
    Returns whether the path and whether the body now name A's records."""
    path_aimed = body_aimed = False
    if case.path_parameters and data.draw(st.booleans(), label="aim path"):
        ids = _a_ids(seed, case.operation.path.rsplit("/", 1)[0])
        for name in list(case.path_parameters):
            case.path_parameters[name] = data.draw(st.sampled_from(ids), label=name)
        path_aimed = True
        if data.draw(st.booleans(), label="without preconditions"):  # random versions: 409s
            (case.headers or {}).pop("If-Match", None)
            if isinstance(case.body, dict):
                case.body.pop("version", None)
    for part in (case.query, case.body):
        if not isinstance(part, dict):
            continue
        refs = [key for key in part if key in REFERENCES]
        if refs and data.draw(st.booleans(), label="aim references"):
            for key in refs:
                part[key] = data.draw(st.sampled_from(_a_ids(seed, REFERENCES.get(key))), label=key)
            body_aimed = body_aimed or part is case.body
    return path_aimed, body_aimed


def _as_text(value: object) -> object:
    """A value as the query string carries it: text (lists of text for repeated names)."""
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def only_types_a_query_string_cannot_carry(case: Case) -> bool:
    """True when the negative case breaks the schema only by a type in the URL: ``protocol=-435``
    or ``make=false`` arrive as the text "-435" and "false", which a text filter rightly
    takes. The values as sent (text) are checked against the schema, path parameters too, so a
    real violation (an empty or too long value, too many repeats, a bad id) is still caught."""
    if not isinstance(case.body, NotSet | None) or not case.query:
        return False
    if case.headers and {p.name for p in case.operation.headers} & set(case.headers):
        return False  # a header of the operation's own was generated: not judged here
    sent = [(case.query, case.operation.query)]
    if case.path_parameters:
        sent.append((case.path_parameters, case.operation.path_parameters))
    for values, parameters in sent:
        wanted = {p.name: p.definition.get("schema", {}) for p in parameters}
        for name, value in values.items():
            schema = wanted.get(name)
            if schema is None:
                return False
            text = _as_text(value)
            takes_list = any(o.get("type") == "array" for o in schema.get("anyOf", [schema]))
            if takes_list and not isinstance(text, list):
                text = [text]
            try:
                if not jsonschema_rs.is_valid(schema, text):
                    return False
            except (ValueError, jsonschema_rs.ReferencingError):  # a $ref: not excused
                return False
    return True


async def test_the_leak_oracle_sees_what_a_owns(
    fuzz_client: httpx.AsyncClient, fuzz_tenants: Tenants, seed: Seed
) -> None:
    """The tokens are real: A's own lists show them, B's show none (else the check is vacuous)."""
    for collection in seed.records:
        own = await fuzz_client.get(collection, headers=fuzz_tenants.a.owner)
        assert any(t in own.text for t in seed.tokens()), collection
        other = await fuzz_client.get(collection, headers=fuzz_tenants.b.owner)
        assert other.status_code == 200
        assert_no_tenant_a_data(other, seed)
    assert "/api/v1/vehicles" in seed.records


@pytest.mark.parametrize(("label", "mode"), RUNS)
@hypothesis_settings(FUZZ_SETTINGS, max_examples=MAX_EXAMPLES)
@given(data=st.data())
async def test_operation(
    label: str,
    mode: GenerationMode,
    data: st.DataObject,
    fuzz_client: httpx.AsyncClient,
    fuzz_tenants: Tenants,
    seed: Seed,
) -> None:
    case = data.draw(case_strategy(label, mode), label="case")
    as_b = data.draw(st.booleans(), label="as_tenant_b")
    tenant = fuzz_tenants.b if as_b else fuzz_tenants.a
    # A aiming at its own records reaches the success paths; B aiming at them must not.
    path_aimed, body_aimed = aim_at_a(case, data, seed)

    response = await fuzz_client.request(**to_httpx(case, tenant.owner))
    event(f"tenant {'B' if as_b else 'A'}, aimed at A's path {path_aimed}, body {body_aimed}")
    event(f"status {response.status_code}")

    assert_well_behaved(response)
    case.validate_response(response, checks=CHECKS)
    if mode is GenerationMode.NEGATIVE and not only_types_a_query_string_cannot_carry(case):
        case.validate_response(response, checks=[negative_data_rejection])
    if as_b:
        assert_no_tenant_a_data(response, seed)
    if as_b and path_aimed:  # A's record is, for B, a record that does not exist
        assert response.status_code in (400, 401, 403, 404, 422), describe(response)
    if as_b and body_aimed:  # B can't link its records to A's
        assert response.status_code >= 400, describe(response)


def test_every_operation_is_fuzzed() -> None:
    """The schema was read and covers the record routes (a silent empty run proves nothing)."""
    assert "POST /api/v1/vehicles" in OPERATIONS
    assert len(OPERATIONS) >= 20
    assert json.dumps(SCHEMA.raw_schema)  # the schema serialises
