import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState, type ComponentType } from "react";
import { Link, useParams, useSearchParams } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { drivingEventLabel } from "@/lib/drivingEvents";
import { formatDateTime, formatNumber } from "@/lib/format";
import { useOnline } from "@/lib/offline";

import { scorecardQueryOptions, type Deduction, type ScorePeriod, type ScorePeriodKind } from "../api";
import "../scorecard.css";
import { drivingTime, lastDays, playbackLink, scoreBand, scoreTrend } from "../scorecard";

const PERIODS: { value: ScorePeriodKind; label: string; days: number }[] = [
  { value: "day", label: "Per day, last 14 days", days: 14 },
  { value: "week", label: "Per week, last 8 weeks", days: 56 },
  { value: "trip", label: "Per trip, last 7 days", days: 7 },
];
/** What a deduction's small map draws: its events where they happened, one of them picked. */
export interface EventMapProps {
  events: readonly { id: string; latitude: number; longitude: number; label: string }[];
  selectedId: string | null;
  label: string;
}

/** The app composes the map in (features don't import each other); none in tests. */
export type EventMap = ComponentType<EventMapProps>;

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

function periodLabel(period: ScorePeriod, kind: ScorePeriodKind): string {
  const start = new Date(period.start);
  if (kind === "trip") return `Trip ${formatDateTime(period.start)}`;
  if (kind === "week") return `Week of ${dayFormat.format(start)}`;
  return dayFormat.format(start);
}

/** The score over each period, as bars with the number written on each. */
function ScoreTrend({ periods, kind }: { periods: readonly ScorePeriod[]; kind: ScorePeriodKind }) {
  const trend = scoreTrend(periods);
  const ordered = [...periods].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return (
    <section className="card" aria-labelledby="score-trend-title">
      <h2 id="score-trend-title">Trend</h2>
      {trend ? <p className="lead">{trend.words}.</p> : null}
      {ordered.length ? (
        <ol className="score-bars">
          {ordered.map((p) => (
            <li key={`${p.start}-${p.trip_id ?? ""}`}>
              <span className="score-bar-label">{periodLabel(p, kind)}</span>
              <span className={`score-bar score-${scoreBand(p.score)}`} style={{ inlineSize: `${Math.max(2, p.score)}%` }} />
              <span className="score-bar-value">{Math.round(p.score)}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No driving in this window.</p>
      )}
    </section>
  );
}

/** One deduction: its points, every event behind it with the sum that gave its points, and,
 * once opened, a small map of where they happened (the picked event highlighted). */
function DeductionItem({ deduction, EventMap }: { deduction: Deduction; EventMap?: EventMap }) {
  const [open, setOpen] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const events = [...deduction.events].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  const title = deduction.label || drivingEventLabel(deduction.kind);
  const placed = events.map((event, index) => ({
    id: event.id,
    latitude: event.latitude,
    longitude: event.longitude,
    label: `${index + 1}. ${formatDateTime(event.started_at)}`,
  }));
  return (
    <li className="deduction">
      <details onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>
          <span>
            <strong>{title}:</strong> −{formatNumber(deduction.points)} points,{" "}
          {deduction.count} {deduction.count === 1 ? "event" : "events"} ({deduction.basis})
          </span>
        </summary>
        {open && EventMap && placed.length ? (
          <div className="deduction-map" role="region" aria-label={`Map: where the ${title.toLowerCase()} events happened`}>
            <EventMap events={placed} selectedId={selectedId} label={title} />
          </div>
        ) : null}
        <ol className="deduction-events">
          {events.map((event) => (
            <li key={event.id}>
              <span>
                {formatDateTime(event.started_at)}: {drivingEventLabel(event.kind)}, {event.severity}, minus{" "}
                {formatNumber(event.points)} points
              </span>
              <span className="muted"> ({event.why})</span>{" "}
              {EventMap ? (
                <button
                  type="button"
                  className="button"
                  aria-pressed={selectedId === event.id}
                  onClick={() => setSelectedId(selectedId === event.id ? null : event.id)}
                >
                  Show on the map
                  <span className="visually-hidden"> ({formatDateTime(event.started_at)})</span>
                </button>
              ) : null}{" "}
              <Link to={playbackLink(event)}>
                Play back the trip at this moment
                <span className="visually-hidden"> ({formatDateTime(event.started_at)})</span>
              </Link>
            </li>
          ))}
        </ol>
      </details>
    </li>
  );
}

/**
 * A driver's scorecard: the score (100 less the points of the events), how it moved, and each
 * deduction with the events behind it, each a link to its trip played back at that moment and,
 * when the app composes a map in, a small map of where they happened.
 */
export function ScorecardPage({ EventMap }: { EventMap?: EventMap } = {}) {
  const { driverId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const online = useOnline();
  const periodId = useId();
  const chosen = PERIODS.find((p) => p.value === params.get("period")) ?? (PERIODS[0] as (typeof PERIODS)[number]);
  const window = useMemo(() => lastDays(chosen.days), [chosen.days]);
  const card = useQuery(scorecardQueryOptions(driverId, chosen.value, window.from, window.to));

  const back = <Link to={`/drivers/${driverId}`}>← Back to the driver</Link>;
  let body;
  if (card.isPending) body = online ? <Loading label="Loading the scorecard…" /> : <NeedsConnection />;
  else if (card.isError) body = online ? <ErrorNotice error={card.error} title="The scorecard could not load." /> : <NeedsConnection />;
  else {
    const data = card.data;
    const deductions = [...data.deductions].sort((a, b) => b.points - a.points);
    body = (
      <>
        <p className="lead">{data.driver_name}</p>
        <div className="detail-grid">
          <section className="card" aria-labelledby="score-title">
            <h2 id="score-title">Score</h2>
            <p className={`score-big score-${scoreBand(data.score)}`}>
              <span data-testid="driver-score">{Math.round(data.score)}</span>
              <span className="score-out-of"> out of 100</span>
            </p>
            <p>
              {formatNumber(data.distance_km, "km")} driven in {drivingTime(data.driving_s)} of driving,{" "}
              {formatDateTime(data.from)} to {formatDateTime(data.to)}.
            </p>
            <p className="muted">Every driver starts at 100; each event below takes points off.</p>
          </section>
          <ScoreTrend periods={data.periods} kind={chosen.value} />
          <section className="card card-wide" aria-labelledby="deductions-title">
            <h2 id="deductions-title">Points taken off</h2>
            {deductions.length ? (
              <ul className="deductions">
                {deductions.map((d) => (
                  <DeductionItem key={d.kind} deduction={d} EventMap={EventMap} />
                ))}
              </ul>
            ) : (
              <p>Nothing taken off: no harsh driving, speeding, idling or night driving.</p>
            )}
          </section>
        </div>
      </>
    );
  }

  return (
    <>
      {back}
      <h1>Driver scorecard</h1>
      <form className="trip-window" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor={periodId}>Show</label>
        <select
          id={periodId}
          value={chosen.value}
          onChange={(event) =>
            setParams(
              (current) => {
                const next = new URLSearchParams(current);
                next.set("period", event.target.value);
                return next;
              },
              { replace: true },
            )
          }
        >
          {PERIODS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </form>
      {body}
    </>
  );
}

export function NeedsConnection() {
  return (
    <div className="notice" role="status">
      Scores need a connection. They will show when you are back online.
    </div>
  );
}
