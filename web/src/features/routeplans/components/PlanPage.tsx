import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { isApiError } from "@/lib/api";

import { cancelPlan, checkRoutes, dispatchPlan, isRunning, planKeys, planQueryOptions, saveRoutes } from "../api";
import { usePlanFeed } from "../live";
import {
  editsOf,
  formatDuration,
  formatKm,
  jobsOf,
  moveJob,
  routeColour,
  routeDashed,
  routeLine,
  sameEdits,
  saveErrorWords,
  unrouted,
  vehiclesOf,
  type MoveTarget,
} from "../plan";
import type { RouteEdit, RoutePlan, RoutesChecked } from "../types";
import type { DrawnRoute, PlanMap } from "./PlanMapTypes";
import { PlanProgress } from "./PlanProgress";
import { PlanStatusBadge } from "./RoutePlansPage";
import { RouteTables, type ShownRoute } from "./RouteTables";
import "../routeplans.css";

/** The routes the tables and the map show: the check's schedule after an edit, else the solver's. */
function shownRoutes(plan: RoutePlan, edits: RouteEdit[], checked: RoutesChecked | null): ShownRoute[] {
  const solved = new Map((plan.solution?.routes ?? []).map((r) => [r.vehicle, r]));
  const fromCheck = new Map((checked?.routes ?? []).map((r) => [r.vehicle, r]));
  return edits.map((edit, index) => {
    const c = fromCheck.get(edit.vehicle);
    const s = solved.get(edit.vehicle);
    if (c) return { vehicle: edit.vehicle, index, stops: c.stops, distance: c.distance, duration: c.duration, violations: c.violations };
    return {
      vehicle: edit.vehicle,
      index,
      stops: s?.stops ?? [],
      distance: s?.distance ?? null,
      duration: s?.duration ?? null,
      violations: [],
    };
  });
}

function drawn(plan: RoutePlan, routes: ShownRoute[], edited: boolean): DrawnRoute[] {
  const jobs = jobsOf(plan);
  const vehicles = new Map(vehiclesOf(plan).map((v) => [v.id, v]));
  const solved = new Map((plan.solution?.routes ?? []).map((r) => [r.vehicle, r]));
  return routes
    .filter((r) => r.stops.length)
    .map((r) => {
      const v = vehicles.get(r.vehicle);
      const original = solved.get(r.vehicle);
      const same = !edited && original !== undefined;
      return {
        vehicle: r.vehicle,
        colour: routeColour(r.index),
        dashed: routeDashed(r.index),
        line: routeLine({ stops: r.stops, geometry: original?.geometry ?? null }, v?.start ?? null, v?.end ?? null, jobs, same),
        stops: r.stops.flatMap((s, i) => {
          const at = jobs.get(s.job_id)?.location;
          return at ? [{ number: i + 1, jobId: s.job_id, at }] : [];
        }),
        start: v?.start ?? null,
      };
    });
}

function SolvedPlan({ plan, PlanMap }: { plan: RoutePlan; PlanMap: PlanMap }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const access = useAccess();
  const writer = access.can("route_plans:write");
  const original = useMemo(() => editsOf(plan), [plan]);
  const [edits, setEdits] = useState<RouteEdit[]>(original);
  const [checked, setChecked] = useState<RoutesChecked | null>(null);
  const changed = !sameEdits(edits, original);
  const check = useMutation({
    mutationFn: (next: RouteEdit[]) => checkRoutes(plan.id, next),
    onSuccess: (result) => setChecked(result),
  });
  const save = useMutation({
    mutationFn: () => saveRoutes(plan.id, edits, plan.version, !(checked?.feasible ?? true)),
    onSuccess: async (saved) => {
      client.setQueryData(planKeys.detail(plan.id), saved);
      setEdits(editsOf(saved));
      setChecked(null);
      await client.invalidateQueries({ queryKey: planKeys.list() });
    },
  });
  const dispatch = useMutation({
    mutationFn: () => dispatchPlan(plan.id),
    onSuccess: () => navigate("/dispatch"),
  });

  const move = (jobId: string, target: MoveTarget) => {
    const next = moveJob(edits, jobId, target.vehicle, target.position);
    setEdits(next);
    save.reset();
    if (sameEdits(next, original)) setChecked(null);
    else check.mutate(next);
  };
  const routes = shownRoutes(plan, edits, changed ? checked : null);
  const reasons = new Map((plan.solution?.unassigned ?? []).map((u) => [u.job_id, u.reason]));
  const unassigned = unrouted(plan, edits).map((jobId) => ({ jobId, reason: reasons.get(jobId) ?? "removed_by_edit" }));
  const solution = plan.solution;

  return (
    <>
      <p className="rp-totals">
        {solution ? (
          <>
            {solution.vehicles_used} of {edits.length} vehicles · {formatKm(solution.distance)} ·{" "}
            {formatDuration(solution.duration)} · {solution.unassigned.length} unassigned
          </>
        ) : null}
      </p>
      <div className="rp-map" role="region" aria-label="Routes on the map">
        <PlanMap routes={drawn(plan, routes, changed)} />
      </div>
      {writer ? (
        <div className="rp-edit-bar" aria-live="polite">
          {changed ? (
            check.isPending ? (
              <span className="muted">Checking the changed routes…</span>
            ) : checked ? (
              checked.feasible ? (
                <span className="notice rp-ok">The changed routes are feasible.</span>
              ) : (
                <span className="notice notice-error">The changed routes break some rules (marked below).</span>
              )
            ) : null
          ) : (
            <span className="muted">Drag a stop to another route or position, or use its Move list.</span>
          )}
          {check.isError ? <ErrorNotice error={check.error} title="The routes could not be checked." /> : null}
          {changed ? (
            <>
              <button type="button" className="button button-primary" disabled={save.isPending || check.isPending} onClick={() => save.mutate()}>
                {checked && !checked.feasible ? "Save anyway" : "Save routes"}
              </button>
              <button
                type="button"
                className="button"
                onClick={() => {
                  setEdits(original);
                  setChecked(null);
                  save.reset();
                }}
              >
                Undo changes
              </button>
            </>
          ) : access.can("dispatch:manage") ? (
            <button type="button" className="button" disabled={dispatch.isPending} onClick={() => dispatch.mutate()}>
              {dispatch.isPending ? "Dispatching…" : "Dispatch"}
            </button>
          ) : null}
          {save.isError ? (
            <p className="notice notice-error" role="alert">
              {isApiError(save.error) ? saveErrorWords(save.error.status, save.error.message) : "The routes were not saved."}
            </p>
          ) : null}
          {save.isSuccess ? <span className="notice rp-ok">Saved.</span> : null}
          {dispatch.isError ? <ErrorNotice error={dispatch.error} title="The plan could not be dispatched." /> : null}
        </div>
      ) : null}
      <RouteTables routes={routes} unassigned={unassigned} jobs={jobsOf(plan)} editable={writer} onMove={move} />
    </>
  );
}

/** One plan: its progress while it is solved, then its routes on the map and in tables. */
export function PlanPage({ PlanMap }: { PlanMap: PlanMap }) {
  const { planId = "" } = useParams();
  const client = useQueryClient();
  const writer = useAccess().can("route_plans:write");
  usePlanFeed(planId);
  const query = useQuery(planQueryOptions(planId));
  const cancel = useMutation({
    mutationFn: () => cancelPlan(planId),
    onSettled: () => client.invalidateQueries({ queryKey: planKeys.all }),
  });
  let body;
  if (query.isPending) body = <Loading label="Loading the plan…" />;
  else if (query.isError) body = <ErrorNotice error={query.error} title="The plan could not load." />;
  else {
    const plan = query.data;
    if (isRunning(plan))
      body = <PlanProgress plan={plan} onCancel={writer ? () => cancel.mutate() : null} cancelling={cancel.isPending} />;
    else if (plan.status === "failed")
      body = <p className="notice notice-error">The plan failed: {plan.error?.message ?? "no reason given"}.</p>;
    else if (!plan.solution)
      body = <p className="muted">The plan was cancelled before the solver found routes.</p>;
    else body = <SolvedPlan plan={plan} PlanMap={PlanMap} />;
  }
  return (
    <>
      <div className="page-head">
        <h1>
          {query.data?.name ?? "Route plan"} {query.data ? <PlanStatusBadge status={query.data.status} /> : null}
        </h1>
        <Link to="/route-plans">All plans</Link>
      </div>
      {body}
    </>
  );
}
