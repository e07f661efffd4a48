import { useQuery } from "@tanstack/react-query";

import { formatDay } from "@/lib/dates";
import { formatSpeed } from "@/lib/format";

import { driverNameQueryOptions, type Stop, type Trip } from "../api";
import { formatDistance, formatDuration, placeLabel, type TimelineDay } from "../timeline";

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
const time = (iso: string | null | undefined) => (iso ? clock.format(new Date(iso)) : "now");

function DriverName({ driverId }: { driverId: string | null | undefined }) {
  const name = useQuery({ ...driverNameQueryOptions(driverId ?? ""), enabled: Boolean(driverId) });
  if (!driverId) return <>no driver</>;
  return <>{name.data ?? "a driver"}</>;
}

function TripEntry({ trip, selected, onSelect }: { trip: Trip; selected: boolean; onSelect: (id: string) => void }) {
  return (
    <li className={selected ? "trip-entry trip-entry-selected" : "trip-entry"}>
      <button type="button" className="trip-entry-button" aria-pressed={selected} onClick={() => onSelect(trip.id)}>
        <span className="trip-entry-time">
          {time(trip.started_at)} – {trip.status === "open" ? "under way" : time(trip.ended_at)}
        </span>
        <span className="trip-entry-places">
          Trip from {placeLabel(trip.start)} to {trip.end ? placeLabel(trip.end) : "…"}
        </span>
      </button>
      <dl className="trip-facts">
        <div>
          <dt>Distance</dt>
          <dd>{formatDistance(trip.distance_m)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(trip.duration_s)}</dd>
        </div>
        <div>
          <dt>Driving</dt>
          <dd>{formatDuration(trip.driving_s)}</dd>
        </div>
        <div>
          <dt>Idle</dt>
          <dd>{formatDuration(trip.idle_s)}</dd>
        </div>
        <div>
          <dt>Top speed</dt>
          <dd>{formatSpeed(trip.max_speed_kmh)}</dd>
        </div>
        <div>
          <dt>Average</dt>
          <dd>{formatSpeed(trip.avg_speed_kmh)}</dd>
        </div>
        <div>
          <dt>Driver</dt>
          <dd>
            <DriverName driverId={trip.driver_id} />
          </dd>
        </div>
      </dl>
    </li>
  );
}

function StopEntry({ stop }: { stop: Stop }) {
  return (
    <li className="stop-entry">
      <span className="trip-entry-time">
        {time(stop.started_at)} – {stop.status === "open" ? "still there" : time(stop.ended_at)}
      </span>{" "}
      Stopped at {placeLabel(stop.at)}
      {stop.duration_s !== null && stop.duration_s !== undefined ? ` for ${formatDuration(stop.duration_s)}` : ""}
      {stop.idle_s > 0 ? `, engine running ${formatDuration(stop.idle_s)}` : ""}
    </li>
  );
}

/** Per day, the trips and stops in the order they happened; a trip is picked to be played back. */
export function TripTimeline({
  days,
  selectedTripId,
  onSelect,
}: {
  days: readonly TimelineDay[];
  selectedTripId: string | null;
  onSelect: (tripId: string) => void;
}) {
  if (!days.length) return <p className="muted">No trips or stops in these days.</p>;
  return (
    <div className="trip-timeline">
      {days.map((day) => (
        <section key={day.day} aria-labelledby={`trip-day-${day.day}`}>
          <h2 id={`trip-day-${day.day}`} className="trip-day">
            {formatDay(day.day)}
          </h2>
          <ol className="trip-entries">
            {day.entries.map((entry) =>
              entry.kind === "trip" ? (
                <TripEntry
                  key={entry.trip.id}
                  trip={entry.trip}
                  selected={entry.trip.id === selectedTripId}
                  onSelect={onSelect}
                />
              ) : (
                <StopEntry key={entry.stop.id} stop={entry.stop} />
              ),
            )}
          </ol>
        </section>
      ))}
    </div>
  );
}
