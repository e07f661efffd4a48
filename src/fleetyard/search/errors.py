"""The search API's refusals, each with a stable code."""

from __future__ import annotations

from fleetyard.errors import FleetyardError


class QueryTooLong(FleetyardError):
    status_code = 422
    code = "query_too_long"
    message = "The search query is too long."


class UnknownFilter(FleetyardError):
    status_code = 422
    code = "unknown_filter"
    message = "The search has no such filter."


class InvalidFilter(FleetyardError):
    status_code = 422
    code = "invalid_filter"
    message = "A filter value is not valid."


class UnknownFacet(FleetyardError):
    status_code = 422
    code = "unknown_facet"
    message = "The search has no such facet."


class UnknownType(FleetyardError):
    status_code = 422
    code = "unknown_type"
    message = "The search has no such document type."


class InvalidCursor(FleetyardError):
    status_code = 400
    code = "invalid_cursor"
    message = "The cursor is not from this search; start again without it."
