import { useQuery } from "@tanstack/react-query";
import type { GeoJSONSource } from "maplibre-gl";
import { useEffect, useMemo } from "react";

import { trackQueryOptions } from "../api";
import { useStore, type ReplayStore } from "../store";
import { lineUpTo, pointAt, trackPoints } from "../track";
import { removeFromMap, useMap } from "./MapContext";

const LINE = "replay-track";
const DRIVEN = "replay-driven";
const MARKER = "replay-marker";
const LAYERS = [`${LINE}-line`, `${DRIVEN}-line`, `${MARKER}-dot`];

const empty = { type: "FeatureCollection" as const, features: [] };

/** The loaded history: the whole track faint, the part driven so far strong, the marker where
 * the replay clock is. */
export function TrackLayer({ replay }: { replay: ReplayStore }) {
  const { map, maplibregl } = useMap();
  const window = useStore(replay, (s) =>
    s.vehicleId && s.from && s.to ? `${s.vehicleId}|${s.from}|${s.to}` : null,
  );
  const time = useStore(replay, (s) => s.time);
  const [vehicleId = "", from = "", to = ""] = window?.split("|") ?? [];
  const track = useQuery({ ...trackQueryOptions({ vehicleId, from, to }), enabled: window !== null });
  const points = useMemo(() => trackPoints(track.data ?? []), [track.data]);

  useEffect(() => {
    map.addSource(LINE, { type: "geojson", data: empty });
    map.addSource(DRIVEN, { type: "geojson", data: empty });
    map.addSource(MARKER, { type: "geojson", data: empty });
    const line = { "line-cap": "round", "line-join": "round" } as const;
    map.addLayer({
      id: `${LINE}-line`,
      type: "line",
      source: LINE,
      layout: line,
      paint: { "line-color": "#6d28d9", "line-width": 4, "line-opacity": 0.35 },
    });
    map.addLayer({
      id: `${DRIVEN}-line`,
      type: "line",
      source: DRIVEN,
      layout: line,
      paint: { "line-color": "#6d28d9", "line-width": 4 },
    });
    map.addLayer({
      id: `${MARKER}-dot`,
      type: "circle",
      source: MARKER,
      paint: {
        "circle-radius": 9,
        "circle-color": "#6d28d9",
        "circle-stroke-width": 3,
        "circle-stroke-color": "#ffffff",
      },
    });
    return () => removeFromMap(map, LAYERS, [LINE, DRIVEN, MARKER]);
  }, [map]);

  useEffect(() => {
    const source = map.getSource(LINE) as GeoJSONSource | undefined;
    const coordinates = points.map((p) => [p.lng, p.lat]);
    source?.setData(
      coordinates.length > 1
        ? { type: "Feature", properties: {}, geometry: { type: "LineString", coordinates } }
        : empty,
    );
    const first = points[0];
    if (first && points.length) {
      const bounds = points.reduce(
        (box, p) => box.extend([p.lng, p.lat]),
        new maplibregl.LngLatBounds([first.lng, first.lat], [first.lng, first.lat]),
      );
      map.fitBounds(bounds, { padding: 60, maxZoom: 16, duration: 0 });
    }
  }, [map, maplibregl, points]);

  useEffect(() => {
    const here = pointAt(points, time);
    const driven = lineUpTo(points, time);
    (map.getSource(DRIVEN) as GeoJSONSource | undefined)?.setData(
      driven.length > 1
        ? { type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: driven } }
        : empty,
    );
    (map.getSource(MARKER) as GeoJSONSource | undefined)?.setData(
      here
        ? { type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [here.lng, here.lat] } }
        : empty,
    );
  }, [map, points, time]);

  return null;
}
