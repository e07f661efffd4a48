import { useState, type DragEvent } from "react";

import {
  formatClock,
  formatDuration,
  formatKm,
  formatWindow,
  lateness,
  REASONS,
  routeColour,
  UNASSIGNED,
  type MoveTarget,
  type PlanJob,
} from "../plan";
import type { PlannedStop, Violation } from "../types";

/** One route as the tables show it: the checked schedule when there is one, else the solver's. */
export interface ShownRoute {
  vehicle: string;
  index: number;
  stops: PlannedStop[];
  distance: number | null;
  duration: number | null;
  violations: Violation[];
}

interface Props {
  routes: ShownRoute[];
  unassigned: { jobId: string; reason: string }[];
  jobs: Map<string, PlanJob>;
  editable: boolean;
  onMove: (jobId: string, target: MoveTarget) => void;
}

const DRAG_TYPE = "application/x-fleetyard-job";

function dropProps(target: MoveTarget, onMove: Props["onMove"], setOver: (key: string | null) => void, key: string) {
  return {
    onDragOver: (event: DragEvent) => {
      if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
      event.preventDefault();
      event.stopPropagation();
      event.dataTransfer.dropEffect = "move";
      setOver(key);
    },
    onDragLeave: () => setOver(null),
    onDrop: (event: DragEvent) => {
      const jobId = event.dataTransfer.getData(DRAG_TYPE);
      event.preventDefault();
      event.stopPropagation();
      setOver(null);
      if (jobId) onMove(jobId, target);
    },
  };
}

function MoveSelect({ jobId, routes, from, onMove }: { jobId: string; routes: ShownRoute[]; from: string; onMove: Props["onMove"] }) {
  return (
    <select
      aria-label={`Move ${jobId} to`}
      value=""
      onChange={(event) => {
        if (event.target.value === "") return;
        const vehicle = event.target.value === "-" ? UNASSIGNED : event.target.value;
        onMove(jobId, { vehicle });
      }}
    >
      <option value="">Move to…</option>
      {routes
        .filter((r) => r.vehicle !== from)
        .map((r) => (
          <option key={r.vehicle} value={r.vehicle}>
            {r.vehicle} (end)
          </option>
        ))}
      {from !== UNASSIGNED ? <option value="-">Unassigned</option> : null}
    </select>
  );
}

function RouteTable({ route, routes, jobs, editable, onMove }: Omit<Props, "unassigned" | "routes"> & { route: ShownRoute; routes: ShownRoute[] }) {
  const [over, setOver] = useState<string | null>(null);
  const problems = new Map<string, string[]>();
  for (const v of route.violations) problems.set(v.job_id ?? "", [...(problems.get(v.job_id ?? "") ?? []), v.message]);
  const routeWide = problems.get("") ?? [];
  const titleId = `rp-route-${route.index}`;
  return (
    <section
      className={`card rp-route${over === "route" ? " rp-over" : ""}`}
      style={{ borderLeftColor: routeColour(route.index) }}
      aria-labelledby={titleId}
      {...(editable ? dropProps({ vehicle: route.vehicle }, onMove, setOver, "route") : {})}
    >
      <h2 id={titleId}>
        <span className="rp-swatch" style={{ background: routeColour(route.index) }} aria-hidden="true" />
        {route.vehicle}
        <span className="muted small">
          {" "}
          · {route.stops.length} stop{route.stops.length === 1 ? "" : "s"} · {formatKm(route.distance)} ·{" "}
          {formatDuration(route.duration)}
        </span>
      </h2>
      {routeWide.length ? (
        <ul className="notice notice-error rp-problems" aria-label={`${route.vehicle}: problems`}>
          {routeWide.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
      {route.stops.length ? (
        <div className="table-scroll" role="region" aria-label={`${route.vehicle} stops`} tabIndex={0}>
          <table className="data-table rp-stops">
            <thead>
              <tr>
                <th scope="col" className="num">#</th>
                <th scope="col">Job</th>
                <th scope="col">Arrival</th>
                <th scope="col">Departure</th>
                <th scope="col" className="num">Load</th>
                <th scope="col">Window</th>
                {editable ? <th scope="col">Move</th> : null}
              </tr>
            </thead>
            <tbody>
              {route.stops.map((stop, position) => {
                const job = jobs.get(stop.job_id);
                const { window, late } = lateness(stop, job?.windows ?? []);
                const stopProblems = problems.get(stop.job_id) ?? [];
                const key = `stop-${position}`;
                return (
                  <tr
                    key={stop.job_id}
                    data-job={stop.job_id}
                    className={`${over === key ? "rp-over" : ""}${stopProblems.length || late ? " rp-bad" : ""}`}
                    draggable={editable && job !== undefined}
                    onDragStart={(event) => {
                      event.dataTransfer.setData(DRAG_TYPE, stop.job_id);
                      event.dataTransfer.effectAllowed = "move";
                    }}
                    {...(editable && job ? dropProps({ vehicle: route.vehicle, position }, onMove, setOver, key) : {})}
                  >
                    <td className="num">{position + 1}</td>
                    <th scope="row">
                      {stop.job_id}
                      {stopProblems.map((m) => (
                        <span key={m} className="field-error rp-violation">
                          {m}
                        </span>
                      ))}
                    </th>
                    <td>{formatClock(stop.arrival_s)}</td>
                    <td>{formatClock(stop.departure_s)}</td>
                    <td className="num">{stop.load.join(" / ")}</td>
                    <td>
                      {formatWindow(window)}
                      {late ? <span className="field-error"> {Math.ceil(late / 60)} min late</span> : null}
                    </td>
                    {editable ? (
                      <td>{job ? <MoveSelect jobId={stop.job_id} routes={routes} from={route.vehicle} onMove={onMove} /> : null}</td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted rp-empty">No stops{editable ? " — drop a stop here, or move one with its Move list." : "."}</p>
      )}
    </section>
  );
}

/** A table per route (drag a row onto another route or row, or use its Move list) and the jobs
 * no route serves, with why. */
export function RouteTables({ routes, unassigned, jobs, editable, onMove }: Props) {
  const [over, setOver] = useState<string | null>(null);
  return (
    <div className="rp-tables">
      {routes.map((route) => (
        <RouteTable key={route.vehicle} route={route} routes={routes} jobs={jobs} editable={editable} onMove={onMove} />
      ))}
      <section
        className={`card rp-unassigned${over === "u" ? " rp-over" : ""}`}
        aria-labelledby="rp-unassigned-title"
        {...(editable ? dropProps({ vehicle: UNASSIGNED }, onMove, setOver, "u") : {})}
      >
        <h2 id="rp-unassigned-title">Unassigned ({unassigned.length})</h2>
        {unassigned.length ? (
          <ul className="rp-unassigned-list">
            {unassigned.map((u) => (
              <li
                key={u.jobId}
                data-job={u.jobId}
                draggable={editable}
                onDragStart={(event) => {
                  event.dataTransfer.setData(DRAG_TYPE, u.jobId);
                  event.dataTransfer.effectAllowed = "move";
                }}
              >
                <strong>{u.jobId}</strong> <span className="muted">{REASONS[u.reason] ?? u.reason}</span>
                {editable ? <MoveSelect jobId={u.jobId} routes={routes} from={UNASSIGNED} onMove={onMove} /> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">Every job is on a route.</p>
        )}
      </section>
    </div>
  );
}
