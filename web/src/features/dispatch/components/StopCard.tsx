import { ChangeState, type QueuedChange } from "@/lib/offline";

import type { DispatchRoute, DispatchStop } from "../api";
import { formatClock, formatRelative, formatWindow, isDone, latenessText, stopLateness } from "../progress";
import { StopActions } from "./StopActions";

export const STATUS_TEXT: Record<DispatchStop["status"], string> = {
  pending: "To do",
  arrived: "Arrived",
  completed: "Completed",
  failed: "Failed",
};

/** One stop of the driver's day: where, when, its live ETA, its status and the driver's steps. */
export function StopCard({
  route,
  stop,
  number,
  isNext,
  lastChange,
  now,
}: {
  route: DispatchRoute;
  stop: DispatchStop;
  /** Its place in the route, from 1. */
  number: number;
  isNext: boolean;
  lastChange: QueuedChange | undefined;
  now: number;
}) {
  const lateness = stopLateness(stop);
  const title = stop.name || stop.place || `Stop ${number}`;
  const open = !isDone(stop.status);
  return (
    <li
      className={`dispatch-stop status-${stop.status}${isNext ? " is-next" : ""}`}
      aria-current={isNext ? "step" : undefined}
      aria-labelledby={`stop-${stop.id}`}
    >
      <div className="dispatch-stop-head">
        <span className="dispatch-seq" aria-hidden="true">
          {number}
        </span>
        <h2 id={`stop-${stop.id}`}>
          <span className="dispatch-hidden">Stop {number}: </span>
          {title}
        </h2>
        <span className={`badge stop-badge stop-${stop.status}`}>{isNext ? "Next" : STATUS_TEXT[stop.status]}</span>
      </div>
      {stop.place && stop.name && <p className="dispatch-address">{stop.place}</p>}
      {stop.notes && <p className="dispatch-address">{stop.notes}</p>}
      <dl className="dispatch-times">
        <div>
          <dt>Window</dt>
          <dd>{formatWindow(stop.window_start_at, stop.window_end_at)}</dd>
        </div>
        <div>
          <dt>Planned</dt>
          <dd>{formatClock(stop.planned_arrival_at)}</dd>
        </div>
        {open && (
          <div>
            <dt>ETA</dt>
            <dd>
              {formatClock(stop.eta_at)} {stop.eta_at && <span className="muted">({formatRelative(stop.eta_at, now)})</span>}
            </dd>
          </div>
        )}
        {open && (
          <div>
            <dt>Timing</dt>
            <dd className={`lateness lateness-${lateness.state}`}>{latenessText(lateness)}</dd>
          </div>
        )}
      </dl>
      {stop.note && <p className="dispatch-address">Note: {stop.note}</p>}
      {open && (isNext || stop.status === "arrived") && <StopActions route={route} stop={stop} number={number} />}
      {lastChange && (
        <p className="dispatch-sync">
          <ChangeState change={lastChange} />
        </p>
      )}
    </li>
  );
}
