import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";

import { dispatchAlertsQueryOptions, liveQueryOptions, type DispatchAlert, type LiveDispatch, type LiveRoute } from "../api";
import { useEtaFeed } from "../live";
import { formatClock, formatRelative, latenessOf, latenessText, vehicleText } from "../progress";
import { useNow } from "./MyRoutePage";
import { RouteDetail } from "./RouteDetail";
import type { RouteMap } from "./RouteMapTypes";
import "./dispatch.css";

const ALERT_WORDS: Record<string, string> = { stop_late: "Late stop", route_deviation: "Off route" };

/** Open dispatch alerts by the route they are about. */
function alertsByRoute(alerts: readonly DispatchAlert[] | undefined): Map<string, DispatchAlert[]> {
  const byRoute = new Map<string, DispatchAlert[]>();
  for (const alert of alerts ?? []) {
    const routeId = alert.details?.route_id;
    if (routeId) byRoute.set(routeId, [...(byRoute.get(routeId) ?? []), alert]);
  }
  return byRoute;
}

/** The dispatcher's live view: dispatches in progress, each route's progress, next stop, ETA, lateness. */
export function DispatchPage({ RouteMap }: { RouteMap?: RouteMap }) {
  const [params] = useSearchParams();
  const open = params.get("route");
  // ETAs come as live events (patched into the cache); the queries refetch every 15 s too.
  useEtaFeed("fleet");
  const live = useQuery(liveQueryOptions());
  const alerts = useQuery(dispatchAlertsQueryOptions());
  const byRoute = alertsByRoute(alerts.data?.items);
  const now = useNow(15_000);

  return (
    <section className="dispatch-live">
      <div className="dispatch-live-head">
        <h1>Dispatch</h1>
        {live.dataUpdatedAt > 0 && (
          <span className="muted">Updated {formatClock(new Date(live.dataUpdatedAt).toISOString())}</span>
        )}
      </div>
      {live.isPending ? (
        <Loading label="Loading plans in progress…" />
      ) : live.isError ? (
        <ErrorNotice error={live.error} title="The plans in progress could not be loaded." />
      ) : live.data.length === 0 ? (
        <p className="muted">No plan is in progress. Dispatch a solved plan to follow it here.</p>
      ) : (
        live.data.map((dispatch) => (
          <DispatchTable key={dispatch.dispatch_id} dispatch={dispatch} alerts={byRoute} openRoute={open} now={now} />
        ))
      )}
      {open && <RouteDetail routeId={open} RouteMap={RouteMap} />}
    </section>
  );
}

function DispatchTable({
  dispatch,
  alerts,
  openRoute,
  now,
}: {
  dispatch: LiveDispatch;
  alerts: Map<string, DispatchAlert[]>;
  openRoute: string | null;
  now: number;
}) {
  const done = dispatch.routes.reduce((sum, r) => sum + r.completed, 0);
  const total = dispatch.routes.reduce((sum, r) => sum + r.total, 0);
  return (
    <section className="dispatch-plan" aria-labelledby={`plan-${dispatch.dispatch_id}`}>
      <h2 id={`plan-${dispatch.dispatch_id}`}>
        {dispatch.name}{" "}
        <span className="muted">
          · started {formatClock(dispatch.start_at)} · {done} of {total} stops done
        </span>
      </h2>
      <table className="dispatch-table">
        <thead>
          <tr>
            <th scope="col">Vehicle</th>
            <th scope="col">Driver</th>
            <th scope="col">Progress</th>
            <th scope="col">Next stop</th>
            <th scope="col">ETA</th>
            <th scope="col">Timing</th>
            <th scope="col">Alerts</th>
          </tr>
        </thead>
        <tbody>
          {dispatch.routes.map((route) => (
            <RouteRow
              key={route.route_id}
              route={route}
              alerts={alerts.get(route.route_id) ?? []}
              open={route.route_id === openRoute}
              now={now}
            />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RouteRow({ route, alerts, open, now }: { route: LiveRoute; alerts: DispatchAlert[]; open: boolean; now: number }) {
  const lateness = route.next_stop_id ? latenessOf(route.late_minutes) : null;
  const vehicle = vehicleText(route);
  return (
    <tr className={open ? "is-open" : undefined}>
      <th scope="row">
        <Link to={`?route=${route.route_id}`} aria-current={open ? "true" : undefined}>
          {vehicle}
        </Link>
      </th>
      <td>{route.driver_name ?? "—"}</td>
      <td>
        <span className="dispatch-meter">
          <progress max={route.total || 1} value={route.completed} aria-label={`${vehicle}: stops done`} />
          {route.completed}/{route.total}
        </span>
      </td>
      <td>{route.next_stop_id ? (route.next_stop_name ?? "—") : "Done"}</td>
      <td>
        {route.next_eta_at ? (
          <>
            {formatClock(route.next_eta_at)} <span className="muted">({formatRelative(route.next_eta_at, now)})</span>
          </>
        ) : (
          "—"
        )}
      </td>
      <td>{lateness ? <span className={`lateness lateness-${lateness.state}`}>{latenessText(lateness)}</span> : "—"}</td>
      <td>
        {alerts.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          <ul className="dispatch-alerts">
            {alerts.map((alert) => (
              <li key={alert.id}>
                {ALERT_WORDS[alert.kind] ?? alert.kind}: {alert.message}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
