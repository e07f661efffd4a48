import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState, type FormEvent } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { formatSpeed } from "@/lib/format";

import { trackQueryOptions } from "../api";
import { useStore, type ReplayStore } from "../store";
import { pointAt, trackPoints } from "../track";

const SPEEDS = [1, 10, 30, 60, 300];
const clock = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" });

/** `datetime-local` value for a moment, in local time. */
function localInput(ms: number): string {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

/**
 * History replay: pick a window, load the track, then play it or scrub it with the time
 * slider (arrow keys step a second, Page Up/Down more; Space on the button plays and pauses).
 */
export function ReplayControls({ vehicleId, replay }: { vehicleId: string; replay: ReplayStore }) {
  const ids = { from: useId(), to: useId(), time: useId(), speed: useId() };
  const [from, setFrom] = useState(() => localInput(Date.now() - 60 * 60_000));
  const [to, setTo] = useState(() => localInput(Date.now() + 60_000));
  const state = useStore(replay, (s) => s);
  const loaded = state.vehicleId === vehicleId && state.from && state.to;
  const track = useQuery({
    ...trackQueryOptions({ vehicleId, from: state.from ?? "", to: state.to ?? "" }),
    enabled: Boolean(loaded),
  });
  const points = useMemo(() => trackPoints(track.data ?? []), [track.data]);
  const start = points[0]?.time ?? 0;
  const end = points.at(-1)?.time ?? 0;

  // A new track starts at its beginning.
  useEffect(() => {
    if (points.length) replay.set({ time: points[0]?.time ?? 0, playing: false });
  }, [points, replay]);

  // Playing: the clock runs at `speed` track seconds per second, frame by frame.
  useEffect(() => {
    if (!state.playing || !points.length) return;
    let last = performance.now();
    let frame = requestAnimationFrame(function tick(now) {
      const step = (now - last) * replay.get().speed;
      last = now;
      const time = Math.min(end, replay.get().time + step);
      replay.set({ time, playing: time < end });
      if (time < end) frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [state.playing, points, end, replay]);

  // Leaving the vehicle clears its track from the map.
  useEffect(() => () => replay.set({ vehicleId: null, from: null, to: null, playing: false }), [replay]);

  const load = (event: FormEvent) => {
    event.preventDefault();
    const window = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    replay.set({ vehicleId, ...window, playing: false });
  };

  const here = pointAt(points, state.time);
  let player;
  if (!loaded) player = null;
  else if (track.isPending) player = <Loading label="Loading the track…" />;
  else if (track.isError) player = <ErrorNotice error={track.error} />;
  else if (points.length < 2) player = <p className="muted">No positions in this window.</p>;
  else
    player = (
      <div className="replay-player">
        <p className="muted">
          {points.length.toLocaleString()} positions, {clock.format(start)} – {clock.format(end)}
        </p>
        <div className="replay-buttons">
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              if (state.time >= end) replay.set({ time: start });
              replay.set({ playing: !state.playing });
            }}
          >
            {state.playing ? "Pause" : "Play"}
          </button>
          <label htmlFor={ids.speed}>Speed</label>
          <select
            id={ids.speed}
            value={state.speed}
            onChange={(event) => replay.set({ speed: Number(event.target.value) })}
          >
            {SPEEDS.map((speed) => (
              <option key={speed} value={speed}>
                {speed}×
              </option>
            ))}
          </select>
        </div>
        <label htmlFor={ids.time}>Time</label>
        <input
          id={ids.time}
          className="replay-slider"
          type="range"
          min={start}
          max={end}
          step={1000}
          value={Math.round(Math.min(end, Math.max(start, state.time)))}
          aria-valuetext={clock.format(state.time)}
          onChange={(event) => replay.set({ time: Number(event.target.value), playing: false })}
        />
        <p className="replay-now" aria-live="off">
          <output htmlFor={ids.time}>{clock.format(state.time)}</output>
          {here?.speedKmh !== null && here?.speedKmh !== undefined ? ` · ${formatSpeed(here.speedKmh)}` : ""}
        </p>
      </div>
    );

  return (
    <section aria-labelledby="panel-replay-title">
      <h3 id="panel-replay-title">History replay</h3>
      <form className="replay-window" onSubmit={load}>
        <div className="field">
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="datetime-local" required value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To</label>
          <input id={ids.to} type="datetime-local" required value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <button type="submit" className="button">
          Load track
        </button>
      </form>
      {player}
    </section>
  );
}
