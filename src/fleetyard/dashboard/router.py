from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.cache.http import AppCache, json_answer
from fleetyard.dashboard.paths import PathCache
from fleetyard.dashboard.schemas import Dashboard, FleetSummary
from fleetyard.dashboard.service import DashboardService
from fleetyard.dashboard.summary import cached_summary
from fleetyard.errors import PermissionDenied, responses

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
fleet_router = APIRouter(prefix="/fleet", tags=["dashboard"])
Reader = Annotated[Principal, Depends(require(Permission.VEHICLES_READ))]


def path_cache(request: Request) -> PathCache:
    """The app's cache of today's GPS paths (made on first use)."""
    state = request.app.state
    cache: PathCache | None = getattr(state, "dashboard_paths", None)
    if cache is None:
        cache = state.dashboard_paths = PathCache()
    return cache


@router.get("", response_model=Dashboard, responses=responses(PermissionDenied))
async def get_dashboard(
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_READ))],
    paths: Annotated[PathCache, Depends(path_cache)],
) -> Dashboard:
    """The fleet at a glance: vehicles by activity, open alerts by severity, devices not
    reporting, distance driven today (UTC) and the next reservations. Sections the caller's
    role can't read are null; ``figures`` grows as domains add theirs."""
    return await DashboardService(session, actor, paths).get()


@fleet_router.get("/summary", response_model=FleetSummary, responses=responses(PermissionDenied))
async def get_fleet_summary(
    request: Request,
    session: DbSession,
    actor: Reader,
    paths: Annotated[PathCache, Depends(path_cache)],
    cache: AppCache,
) -> Response:
    """The fleet in figures: vehicles by status, type, depot and activity; devices online and
    offline; open alerts by severity; reservations today; distance driven today (UTC).
    Counted in SQL and cached: the figures may be up to {FRESH_S:g} s old (``generated_at``
    says when they were counted); any committed change of the tenant drops them. Sections the
    caller's role can't read are null."""
    sessions = request.app.state.sessionmaker
    return json_answer(await cached_summary(cache, session, sessions, actor, paths))
