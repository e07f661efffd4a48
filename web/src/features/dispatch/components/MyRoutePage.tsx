import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";

import { ErrorNotice } from "@/components/Status";
import { ChangeProblem, LoadingOrOffline, useChangesFor, type QueuedChange } from "@/lib/offline";

import { myRoutesQueryOptions, type DispatchRoute } from "../api";
import { useEtaFeed } from "../live";
import { isDone, mapStops, nextStop, stepOf, today, vehicleText, withQueuedSteps } from "../progress";
import type { RouteMap } from "./RouteMapTypes";
import { StopCard } from "./StopCard";
import "./dispatch.css";

/** Now, ticking once a minute (for "in 12 min"). */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** The driver's day: their route's stops in order, the next one first in line, on a phone. */
export function MyRoutePage({ RouteMap }: { RouteMap?: RouteMap }) {
  const [params, setParams] = useSearchParams();
  const date = params.get("date") ?? today();
  const routes = useQuery(myRoutesQueryOptions(date));
  const items = routes.data ?? [];
  useEtaFeed(items.map((r) => r.vehicle_id));
  const chosen = items.find((r) => r.id === params.get("route")) ?? items[0];

  return (
    <section className="dispatch-driver">
      <h1>My route</h1>
      <label className="dispatch-field dispatch-date">
        <span>Day</span>
        <input
          type="date"
          value={date}
          onChange={(e) => e.target.value && setParams({ date: e.target.value }, { replace: true })}
        />
      </label>
      {routes.isPending ? (
        <LoadingOrOffline query={routes} label="Loading your route…" />
      ) : routes.isError ? (
        <ErrorNotice error={routes.error} title="Your route could not be loaded." />
      ) : !chosen ? (
        <p className="muted">No route is dispatched to you for this day.</p>
      ) : (
        <>
          {items.length > 1 && (
            <div className="dispatch-tabs" role="group" aria-label="Routes">
              {items.map((r) => (
                <button
                  key={r.id}
                  type="button"
                  className="button touch"
                  aria-pressed={r.id === chosen.id}
                  onClick={() => setParams({ date, route: r.id }, { replace: true })}
                >
                  {r.name} · {vehicleText(r)}
                </button>
              ))}
            </div>
          )}
          <RouteDay route={chosen} RouteMap={RouteMap} />
        </>
      )}
    </section>
  );
}

function RouteDay({ route, RouteMap }: { route: DispatchRoute; RouteMap: RouteMap | undefined }) {
  const changes = useChangesFor("dispatch_route", route.id);
  const now = useNow();
  const stops = useMemo(
    () => withQueuedSteps(route.stops ?? [], changes).sort((a, b) => a.seq - b.seq),
    [route.stops, changes],
  );
  const next = nextStop(stops);
  const done = stops.filter((s) => isDone(s.status)).length;
  const lastByStop = useMemo(() => {
    const map = new Map<string, QueuedChange>();
    for (const change of changes) {
      const step = stepOf(change);
      if (step) map.set(step.stopId, change);
    }
    return map;
  }, [changes]);
  const problems = changes.filter((c) => c.status === "failed" || c.status === "conflict");

  return (
    <>
      <p className="dispatch-summary">
        <strong>{route.name}</strong> · {vehicleText(route)} ·{" "}
        <span>
          {done} of {stops.length} stops done
        </span>
      </p>
      <progress className="dispatch-progress" max={stops.length || 1} value={done} aria-label="Stops done" />
      {problems.map((change) => (
        <ChangeProblem key={change.id} change={change} />
      ))}
      {RouteMap && (
        <div className="dispatch-map">
          <RouteMap geometry={route.geometry ?? []} stops={mapStops(stops, next?.id)} />
        </div>
      )}
      {!next && <p className="notice">Every stop is done for this route.</p>}
      <ol className="dispatch-stops">
        {stops.map((stop, index) => (
          <StopCard
            key={stop.id}
            route={route}
            stop={stop}
            number={index + 1}
            isNext={stop.id === next?.id}
            lastChange={lastByStop.get(stop.id)}
            now={now}
          />
        ))}
      </ol>
    </>
  );
}
