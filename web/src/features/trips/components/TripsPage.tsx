import { useQuery } from "@tanstack/react-query";
import { useCallback, useId, useMemo, type ComponentType } from "react";
import { Link, useParams, useSearchParams } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { today } from "@/lib/dates";
import { useOnline } from "@/lib/offline";

import { drivingEventsQueryOptions, stopsQueryOptions, tripsQueryOptions } from "../api";
import { buildTimeline, dayWindow, eventsDuring, tripAt } from "../timeline";
import "../trips.css";
import { TripPlayback, type TripMapProps } from "./TripPlayback";
import { TripTimeline } from "./TripTimeline";

/** Days shown at once, ending on the chosen day. */
export const TIMELINE_DAYS = 7;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Asked of a screen whose data only the server has. */
export function NeedsConnection({ what }: { what: string }) {
  return (
    <div className="notice" role="status">
      {what} need a connection. They will show when you are back online.
    </div>
  );
}

/**
 * A vehicle's trips: a week of trips and stops, day by day, and the picked trip played back on
 * the map. What is shown lives in the address (?day=&trip=&at=), so a scorecard can link to
 * the moment of an event.
 */
export function TripsPage({ TripMap }: { TripMap: ComponentType<TripMapProps> }) {
  const { vehicleId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const online = useOnline();
  const dayId = useId();
  const atParam = Number(params.get("at"));
  const at = Number.isFinite(atParam) && atParam > 0 ? atParam : null;
  const askedDay = params.get("day");
  const day = askedDay && DAY.test(askedDay) ? askedDay : today();
  const window = useMemo(() => ({ vehicleId, ...dayWindow(day, TIMELINE_DAYS) }), [vehicleId, day]);
  const trips = useQuery(tripsQueryOptions(window));
  const stops = useQuery(stopsQueryOptions(window));
  const events = useQuery(drivingEventsQueryOptions(window));
  const days = useMemo(() => buildTimeline(trips.data ?? [], stops.data ?? []), [trips.data, stops.data]);

  const chosenId = params.get("trip");
  const selected = useMemo(() => {
    const list = trips.data ?? [];
    return list.find((t) => t.id === chosenId) ?? (at !== null ? tripAt(list, at) : null);
  }, [trips.data, chosenId, at]);

  const select = useCallback(
    (tripId: string) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          next.set("trip", tripId);
          next.delete("at");
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const setDay = (value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (DAY.test(value)) next.set("day", value);
        next.delete("trip");
        next.delete("at");
        return next;
      },
      { replace: true },
    );

  let timeline;
  if (trips.isPending || stops.isPending) timeline = online ? <Loading label="Loading trips…" /> : <NeedsConnection what="Trips" />;
  else if (trips.isError || stops.isError)
    timeline = online ? <ErrorNotice error={trips.error ?? stops.error} title="The trips could not load." /> : <NeedsConnection what="Trips" />;
  else timeline = <TripTimeline days={days} selectedTripId={selected?.id ?? null} onSelect={select} />;

  return (
    <>
      <Link to={`/vehicles/${vehicleId}`}>← Back to the vehicle</Link>
      <h1>Trips</h1>
      <form className="trip-window" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor={dayId}>Show the {TIMELINE_DAYS} days up to</label>
        <input id={dayId} type="date" value={day} max={today()} onChange={(event) => setDay(event.target.value)} />
      </form>
      <div className="trips-layout">
        <div className="trips-list">{timeline}</div>
        <section className="trips-detail card" aria-labelledby="trip-playback-title">
          <h2 id="trip-playback-title">Route and playback</h2>
          {selected ? (
            <TripPlayback
              key={selected.id}
              trip={selected}
              events={eventsDuring(events.data ?? [], selected)}
              startAt={at}
              TripMap={TripMap}
            />
          ) : (
            <p className="muted">Pick a trip to see its route and play it back.</p>
          )}
        </section>
      </div>
    </>
  );
}
