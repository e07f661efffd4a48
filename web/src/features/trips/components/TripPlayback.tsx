import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState, type ComponentType } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { drivingEventLabel } from "@/lib/drivingEvents";
import { formatSpeed } from "@/lib/format";

import { tripQueryOptions, type DrivingEvent, type Trip } from "../api";
import { pointAt, trackFromFeature, type TrackPoint } from "../timeline";

/** What the map drawn beside the player is given (the app composes the map in). */
export interface TripMapProps {
  track: readonly TrackPoint[];
  events: readonly DrivingEvent[];
  /** the playback clock, ms since the epoch */
  time: number;
}

const SPEEDS = [1, 10, 30, 60, 300];
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

/**
 * A trip played back: the route on the map, start and end, its driving events, and the
 * vehicle moving along it (play/pause, speed, and a time slider: arrow keys step a second).
 */
export function TripPlayback({
  trip,
  events,
  startAt,
  TripMap,
}: {
  trip: Trip;
  events: readonly DrivingEvent[];
  /** open at this moment (from a scorecard's event), else at the start */
  startAt?: number | null;
  TripMap: ComponentType<TripMapProps>;
}) {
  const ids = { time: useId(), speed: useId() };
  const detail = useQuery(tripQueryOptions(trip.id));
  const track = useMemo(() => trackFromFeature(detail.data?.track), [detail.data]);
  const start = track[0]?.time ?? 0;
  const end = track.at(-1)?.time ?? 0;
  const [time, setTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(30);

  // A new track opens at the moment asked for, else at its beginning.
  useEffect(() => {
    if (!track.length) return;
    const first = track[0]?.time ?? 0;
    const last = track.at(-1)?.time ?? 0;
    setTime(startAt && startAt >= first && startAt <= last ? startAt : first);
    setPlaying(false);
  }, [track, startAt]);

  // Playing: the clock runs at `speed` track seconds per second, frame by frame.
  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    let frame = requestAnimationFrame(function tick(now) {
      const step = (now - last) * speed;
      last = now;
      setTime((current) => {
        const next = Math.min(end, current + step);
        if (next >= end) setPlaying(false);
        return next;
      });
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, speed, end]);

  if (detail.isPending) return <Loading label="Loading the route…" />;
  if (detail.isError) return <ErrorNotice error={detail.error} title="The route could not load." />;
  const here = pointAt(track, time);
  return (
    <div className="trip-playback">
      <div className="trip-map">
        <TripMap track={track} events={events} time={time} />
      </div>
      {track.length < 2 ? (
        <p className="muted">This trip has too few positions to play back.</p>
      ) : (
        <div className="trip-player">
          <div className="trip-player-buttons">
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                if (time >= end) setTime(start);
                setPlaying(!playing);
              }}
            >
              {playing ? "Pause" : "Play"}
            </button>
            <label htmlFor={ids.speed}>Speed</label>
            <select id={ids.speed} value={speed} onChange={(event) => setSpeed(Number(event.target.value))}>
              {SPEEDS.map((s) => (
                <option key={s} value={s}>
                  {s}×
                </option>
              ))}
            </select>
          </div>
          <label htmlFor={ids.time}>Time in the trip</label>
          <input
            id={ids.time}
            className="trip-slider"
            type="range"
            min={start}
            max={end}
            step={1000}
            value={Math.round(Math.min(end, Math.max(start, time)))}
            aria-valuetext={clock.format(time)}
            onChange={(event) => {
              setTime(Number(event.target.value));
              setPlaying(false);
            }}
          />
          <p className="trip-now">
            <output htmlFor={ids.time} data-testid="trip-clock">
              {clock.format(time)}
            </output>
            {here?.speedKmh !== null && here?.speedKmh !== undefined ? ` · ${formatSpeed(here.speedKmh)}` : ""}
          </p>
        </div>
      )}
      {events.length ? (
        <section aria-labelledby="trip-events-title">
          <h3 id="trip-events-title">Driving events on this trip</h3>
          <ol className="trip-events">
            {events.map((event) => (
              <li key={event.id}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setTime(Date.parse(event.started_at));
                    setPlaying(false);
                  }}
                >
                  {clock.format(new Date(event.started_at))}: {drivingEventLabel(event.kind)} ({event.severity})
                </button>
              </li>
            ))}
          </ol>
        </section>
      ) : (
        <p className="muted">No driving events on this trip.</p>
      )}
    </div>
  );
}
