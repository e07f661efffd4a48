from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.dashboard.paths import PathCache
from fleetyard.dashboard.schemas import Dashboard
from fleetyard.dashboard.service import DashboardService
from fleetyard.errors import PermissionDenied, responses

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


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
