import { useQuery } from "@tanstack/react-query";
import { useId, useState, type CSSProperties, type PointerEvent } from "react";

import { ErrorNotice, Loading } from "@/components/Status";

import {
  TELEMETRY_WINDOWS,
  vehicleTelemetryQueryOptions,
  type TelemetryBucket,
  type TelemetryWindow,
  type VehicleTelemetry as Telemetry,
} from "../api";
import {
  bandPath,
  dotsPath,
  extent,
  linearScale,
  linePath,
  nearestIndex,
  overallAverage,
  splitAtGaps,
  type ChartPoint,
} from "./telemetryChart";
import "./telemetry.css";

type MetricKey = "speed_kmh" | "fuel_level_pct" | "coolant_temp_c" | "rpm";

export interface TelemetryMetric {
  key: MetricKey;
  title: string;
  unit: string;
  /** Line colour: at least 4.5:1 against the card's white (WCAG AA even for text). */
  color: string;
}

export const TELEMETRY_METRICS: readonly TelemetryMetric[] = [
  { key: "speed_kmh", title: "Speed", unit: "km/h", color: "#1d4ed8" },
  { key: "fuel_level_pct", title: "Fuel level", unit: "%", color: "#047857" },
  { key: "coolant_temp_c", title: "Coolant temperature", unit: "°C", color: "#b91c1c" },
  { key: "rpm", title: "Engine rpm", unit: "rpm", color: "#6d28d9" },
];

// The plot's own units; it is stretched to the card's width (strokes keep their width).
const WIDTH = 300;
const HEIGHT = 80;
const PAD = 5;
const HOUR_MS = 3_600_000;

const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayClock = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });

function windowLabel(from: number, to: number): string {
  const hours = Math.round((to - from) / HOUR_MS);
  return hours === 1 ? "last hour" : `last ${hours} hours`;
}

interface ChartWindow {
  from: number;
  to: number;
  bucketMs: number;
  label: string;
  time: (t: number) => string;
}

function chartWindow(telemetry: Telemetry): ChartWindow {
  const from = Date.parse(telemetry.from);
  const to = Date.parse(telemetry.to);
  const format = to - from > 12 * HOUR_MS ? dayClock : clock;
  return {
    from,
    to,
    bucketMs: telemetry.bucket_seconds * 1000,
    label: windowLabel(from, to),
    time: (t) => format.format(t),
  };
}

/** The buckets holding the metric, each drawn at its middle. */
function pointsOf(buckets: readonly TelemetryBucket[], key: MetricKey, bucketMs: number): ChartPoint[] {
  return buckets.flatMap((bucket) => {
    const spread = bucket[key];
    return spread ? [{ ...spread, t: Date.parse(bucket.start) + bucketMs / 2 }] : [];
  });
}

function TelemetryChart({
  metric,
  points,
  span,
}: {
  metric: TelemetryMetric;
  points: ChartPoint[];
  span: ChartWindow;
}) {
  const [active, setActive] = useState<number | null>(null);
  const titleId = useId();
  const range = extent(points);
  const style = { "--series": metric.color } as CSSProperties;
  const caption = (readout?: string) => (
    <figcaption className="telemetry-caption">
      <span className="telemetry-title" id={titleId}>
        {metric.title}
      </span> <span className="muted">({metric.unit})</span>
      <span className="telemetry-readout">{readout}</span>
    </figcaption>
  );
  if (!range) {
    return (
      <figure className="telemetry-chart" style={style} aria-labelledby={titleId}>
        {caption()}
        <p className="muted telemetry-empty">No data in this window</p>
      </figure>
    );
  }
  const [low, high] = range;
  const value = (v: number) => `${whole.format(v)} ${metric.unit}`;
  const summary =
    `${metric.title}, ${span.label}: average ${value(overallAverage(points) ?? 0)}, ` +
    `min ${value(low)}, max ${value(high)}`;
  const x = linearScale([span.from, span.to], [0, WIDTH]);
  const y = linearScale(range, [HEIGHT - PAD, PAD]);
  const runs = splitAtGaps(points, 1.5 * span.bucketMs);
  const index = active !== null && active < points.length ? active : points.length - 1;
  const shown = points[index]!;
  const spreadText =
    whole.format(shown.min) === whole.format(shown.max)
      ? ""
      : ` (${whole.format(shown.min)}–${whole.format(shown.max)})`;
  const readout = `${span.time(shown.t)}: ${value(shown.avg)}${spreadText}`;
  const pointAt = (event: PointerEvent<SVGSVGElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    if (box.width <= 0) return;
    const t = span.from + ((event.clientX - box.left) / box.width) * (span.to - span.from);
    setActive(nearestIndex(points, t));
  };
  return (
    <figure className="telemetry-chart" style={style} aria-labelledby={titleId}>
      {caption(readout)}
      <div className="telemetry-plot">
        <div className="telemetry-y" aria-hidden="true">
          <span>{whole.format(high)}</span>
          <span>{whole.format(low)}</span>
        </div>
        <div className="telemetry-canvas">
          <svg
            role="img"
            aria-label={summary}
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            preserveAspectRatio="none"
            onPointerMove={pointAt}
            onPointerLeave={() => setActive(null)}
          >
            <path className="telemetry-band" d={bandPath(runs, x, y)} />
            <path className="telemetry-line" d={linePath(runs, x, y)} />
            <path className="telemetry-dots" d={dotsPath(runs, x, y)} />
            {active === null ? null : (
              <>
                <path className="telemetry-cursor" d={`M${x(shown.t)} 0V${HEIGHT}`} />
                <path className="telemetry-dot" d={`M${x(shown.t)} ${y(shown.avg)}h0`} />
              </>
            )}
          </svg>
          <input
            type="range"
            className="telemetry-scrub"
            min={0}
            max={points.length - 1}
            value={index}
            aria-label={`${metric.title} at a time`}
            aria-valuetext={readout}
            onChange={(event) => setActive(Number(event.target.value))}
            onBlur={() => setActive(null)}
          />
        </div>
        <div className="telemetry-x" aria-hidden="true">
          <span>{span.time(span.from)}</span>
          <span>{span.time(span.to)}</span>
        </div>
      </div>
    </figure>
  );
}

function TelemetryCharts({ telemetry }: { telemetry: Telemetry }) {
  const span = chartWindow(telemetry);
  return (
    <div className="telemetry-charts">
      {TELEMETRY_METRICS.map((metric) => (
        <TelemetryChart
          key={metric.key}
          metric={metric}
          points={pointsOf(telemetry.buckets, metric.key, span.bucketMs)}
          span={span}
        />
      ))}
    </div>
  );
}

/** Speed, fuel, coolant and rpm over the last 1, 6 or 24 hours, refreshed every 30 s. */
export function VehicleTelemetry({ vehicleId }: { vehicleId: string }) {
  const [windowId, setWindowId] = useState<TelemetryWindow>("1h");
  const query = useQuery(vehicleTelemetryQueryOptions(vehicleId, windowId));
  let body;
  if (query.data) {
    body = (
      <>
        {query.isError ? <ErrorNotice error={query.error} /> : null}
        <TelemetryCharts telemetry={query.data} />
      </>
    );
  } else if (query.isError) body = <ErrorNotice error={query.error} />;
  else body = <Loading />;
  return (
    <section className="card card-wide telemetry" aria-labelledby="telemetry-title" aria-busy={query.isPlaceholderData}>
      <div className="card-head">
        <h2 id="telemetry-title">Telemetry</h2>
        <span className="muted small" role="status">
          {query.isPlaceholderData ? "Updating…" : ""}
        </span>
        <div className="telemetry-windows" role="group" aria-label="Time window">
          {TELEMETRY_WINDOWS.map((option) => (
            <button
              key={option.id}
              type="button"
              className="button telemetry-window"
              aria-pressed={option.id === windowId}
              onClick={() => setWindowId(option.id)}
            >
              {option.label}
            </button>
          ))}
        </div>
      </div>
      {body}
    </section>
  );
}
