"""One error hierarchy, rendered as ``{"error": {"code", "message", "details"}}`` everywhere."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class FleetyardError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.details = details or {}
        self.headers = headers
        super().__init__(self.message)


class NotAuthenticated(FleetyardError):
    status_code = 401
    code = "not_authenticated"
    message = "Authentication is required."


class InvalidCredentials(FleetyardError):
    status_code = 401
    code = "invalid_credentials"
    message = "Email or password is wrong."


class PermissionDenied(FleetyardError):
    status_code = 403
    code = "permission_denied"
    message = "Your role does not allow this action."


class CsrfFailed(FleetyardError):
    status_code = 403
    code = "csrf_failed"
    message = "Missing or wrong CSRF token."


class NotFound(FleetyardError):
    status_code = 404
    code = "not_found"
    message = "No such resource."


class Conflict(FleetyardError):
    status_code = 409
    code = "conflict"
    message = "The request conflicts with the current state."


class VersionConflict(Conflict):
    code = "version_conflict"
    message = "The record was changed by someone else; reload it and try again."


class LimitExceeded(Conflict):
    code = "limit_exceeded"
    message = "The tenant's plan limit is reached."


class AlreadyExists(Conflict):
    code = "already_exists"
    message = "A record with this identity already exists."


class ReservationOverlap(Conflict):
    code = "reservation_overlap"
    message = "The vehicle is already reserved for part of this period."


class VehicleRetired(Conflict):
    code = "vehicle_retired"
    message = "A retired vehicle can't be reserved."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = "The record's status does not allow this change."


class IdempotencyKeyReused(FleetyardError):
    status_code = 422
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was used with a different request."


class ValidationFailed(FleetyardError):
    status_code = 422
    code = "validation_failed"
    message = "The request is not valid."


class PreconditionInvalid(FleetyardError):
    status_code = 400
    code = "invalid_precondition"
    message = "If-Match must be a record version."


class RateLimited(FleetyardError):
    status_code = 429
    code = "rate_limited"
    message = "Too many requests; slow down."


class TooManyConnections(FleetyardError):
    status_code = 429
    code = "too_many_connections"
    message = "Too many live connections; close one or retry later."


class Overloaded(FleetyardError):
    """No database connection came free in time: shed the request rather than queue it."""

    status_code = 503
    code = "overloaded"
    message = "The server is busy; retry shortly."
    retry_after_s = 1


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_json(
    status_code: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return JSONResponse(body, status_code=status_code, headers=headers)


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def _jsonable_validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        errors.append(
            {
                "loc": [str(part) for part in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return errors


# PostgreSQL refuses some text outright: a NUL character (22021), or a character the
# database encoding can't hold (22P05). That is the caller's malformed input, not our fault.
_UNSTORABLE_TEXT = frozenset({"22021", "22P05"})
# deadlock, serialization failure, lock not available: another request won a race; retry
_CONCURRENCY = frozenset({"40P01", "40001", "55P03"})
# too many connections, the server is starting or shutting down: overloaded, retry shortly
_UNAVAILABLE = frozenset({"53300", "57P03"})


class ConcurrentUpdate(Conflict):
    code = "concurrent_update"
    message = "Another change to the same records happened at the same moment; please retry."


def _sqlstate(exc: DBAPIError) -> str | None:
    cause = getattr(exc.orig, "__cause__", None) or exc.orig
    return getattr(cause, "sqlstate", None)


def _is_unparsable_body(exc: StarletteHTTPException) -> bool:
    """FastAPI answers 400 when a JSON body is not UTF-8, nests too deep or holds a number too
    long to parse; like any other malformed JSON, that is a 422."""
    return exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError)


def install_error_handlers(app: FastAPI) -> None:
    async def on_fleetyard_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, FleetyardError)
        return error_json(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    async def on_validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_json(
            422,
            "validation_failed",
            "The request is not valid.",
            {"errors": _jsonable_validation_errors(exc)},
        )

    async def on_http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if _is_unparsable_body(exc):
            body_error = {"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}
            return error_json(
                422, "validation_failed", "The request is not valid.", {"errors": [body_error]}
            )
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_json(exc.status_code, code, str(exc.detail), headers=exc.headers)

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DBAPIError)
        sqlstate = _sqlstate(exc)
        if sqlstate in _CONCURRENCY:
            return error_json(409, ConcurrentUpdate.code, ConcurrentUpdate.message)
        if sqlstate in _UNAVAILABLE:
            return await on_overload(request, exc)
        if sqlstate not in _UNSTORABLE_TEXT:
            raise exc  # a real fault: the server error middleware answers 500
        return error_json(
            422,
            "validation_failed",
            "The request contains text that can't be stored (such as a NUL character).",
            {"reason": "unstorable_text"},
        )

    async def on_overload(_: Request, exc: Exception) -> JSONResponse:
        log.warning("request shed: %s", type(exc).__name__)
        headers = {"Retry-After": str(Overloaded.retry_after_s)}
        return error_json(
            Overloaded.status_code, Overloaded.code, Overloaded.message, None, headers
        )

    async def on_unhandled(_: Request, __: Exception) -> JSONResponse:
        # Starlette's server-error middleware calls this, then re-raises, so the fault is
        # still logged with its traceback by the server.
        return error_json(500, "internal_error", "Something went wrong on our side.")

    app.add_exception_handler(FleetyardError, on_fleetyard_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(PoolTimeout, on_overload)
    app.add_exception_handler(Exception, on_unhandled)


def responses(*errors: type[FleetyardError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for a route: every error it can answer, with our body shape."""
    by_status: dict[int, list[str]] = {}
    defaults: tuple[type[FleetyardError], ...] = (
        NotAuthenticated,
        ValidationFailed,
        RateLimited,
        Overloaded,
    )
    for err in (*defaults, *errors):
        by_status.setdefault(err.status_code, []).append(err.code)
    return {
        status: {
            "model": ErrorResponse,
            "description": "Error codes: " + ", ".join(sorted(set(codes))),
        }
        for status, codes in sorted(by_status.items())
    }
