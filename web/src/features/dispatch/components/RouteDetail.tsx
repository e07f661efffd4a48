import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";

import { routeQueryOptions } from "../api";
import { formatClock, formatWindow, isDone, latenessText, mapStops, nextStop, stopLateness, vehicleText } from "../progress";
import type { RouteMap } from "./RouteMapTypes";
import { STATUS_TEXT } from "./StopCard";

/** A dispatched route's stops, with its map, for the dispatcher. */
export function RouteDetail({ routeId, RouteMap }: { routeId: string; RouteMap: RouteMap | undefined }) {
  const route = useQuery(routeQueryOptions(routeId));
  if (route.isPending) return <Loading label="Loading the route…" />;
  if (route.isError) return <ErrorNotice error={route.error} title="The route could not be loaded." />;
  const stops = [...(route.data.stops ?? [])].sort((a, b) => a.seq - b.seq);
  const next = nextStop(stops);
  const title = `${vehicleText(route.data)}${route.data.driver_name ? ` · ${route.data.driver_name}` : ""}`;
  return (
    <section aria-labelledby="dispatch-detail-title">
      <h2 id="dispatch-detail-title">
        {title} <Link to="?">Close</Link>
      </h2>
      {route.data.off_route_m !== null && route.data.off_route_m > 0 && (
        <p className="dispatch-problem">{Math.round(route.data.off_route_m)} m off the planned route</p>
      )}
      <div className="dispatch-detail">
        <table className="dispatch-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Stop</th>
              <th scope="col">Window</th>
              <th scope="col">Planned</th>
              <th scope="col">ETA / done</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {stops.map((stop, index) => {
              const lateness = stopLateness(stop);
              return (
                <tr key={stop.id} className={stop.id === next?.id ? "is-open" : undefined}>
                  <td>{index + 1}</td>
                  <td>
                    {stop.name || stop.job_id}
                    {stop.place && <div className="muted">{stop.place}</div>}
                    {stop.note && <div className="muted">Note: {stop.note}</div>}
                  </td>
                  <td>{formatWindow(stop.window_start_at, stop.window_end_at)}</td>
                  <td>{formatClock(stop.planned_arrival_at)}</td>
                  <td>{formatClock(isDone(stop.status) ? (stop.completed_at ?? stop.failed_at) : stop.eta_at)}</td>
                  <td>
                    {stop.id === next?.id ? "Next" : STATUS_TEXT[stop.status]}
                    {!isDone(stop.status) && (
                      <div className={`lateness lateness-${lateness.state}`}>{latenessText(lateness)}</div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {RouteMap && (
          <div className="dispatch-map">
            <RouteMap geometry={route.data.geometry ?? []} stops={mapStops(stops, next?.id)} />
          </div>
        )}
      </div>
    </section>
  );
}
