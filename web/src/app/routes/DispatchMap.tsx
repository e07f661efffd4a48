import { useQuery } from "@tanstack/react-query";
import type { GeoJSONSource } from "maplibre-gl";
import { useEffect } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import type { RouteMapProps } from "@/features/dispatch";
import { mapConfigQueryOptions } from "@/features/map/api";
import { removeFromMap, useMap } from "@/features/map/components/MapContext";
import { MapView } from "@/features/map/components/MapView";
import "@/features/map/map.css";

const LINE = "dispatch-route";
const STOPS = "dispatch-stops";
const LAYERS = [`${LINE}-line`, `${STOPS}-dot`, `${STOPS}-label`];
const COLORS = ["match", ["get", "status"], "completed", "#15803d", "failed", "#b91c1c", "arrived", "#1d4ed8", "#4b5563"];

function collections({ stops, geometry }: RouteMapProps) {
  const ordered = [...stops].sort((a, b) => a.sequence - b.sequence);
  const coordinates = geometry.length > 1 ? geometry : ordered.map((s) => [s.lon, s.lat] as [number, number]);
  return {
    line: {
      type: "FeatureCollection" as const,
      features:
        coordinates.length > 1
          ? [{ type: "Feature" as const, properties: {}, geometry: { type: "LineString" as const, coordinates } }]
          : [],
    },
    points: {
      type: "FeatureCollection" as const,
      features: ordered.map((s) => ({
        type: "Feature" as const,
        properties: { status: s.status, next: s.next ? 1 : 0, label: String(s.sequence) },
        geometry: { type: "Point" as const, coordinates: [s.lon, s.lat] },
      })),
    },
    coordinates: [...coordinates, ...ordered.map((s) => [s.lon, s.lat] as [number, number])],
  };
}

/** The route's line and its numbered stops (green done, red failed, the next one larger). */
function RouteLayers(props: RouteMapProps) {
  const { map, maplibregl } = useMap();

  useEffect(() => {
    const empty = { type: "FeatureCollection" as const, features: [] };
    map.addSource(LINE, { type: "geojson", data: empty });
    map.addSource(STOPS, { type: "geojson", data: empty });
    map.addLayer({
      id: `${LINE}-line`,
      type: "line",
      source: LINE,
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": "#1d4ed8", "line-width": 4, "line-opacity": 0.7 },
    });
    map.addLayer({
      id: `${STOPS}-dot`,
      type: "circle",
      source: STOPS,
      paint: {
        "circle-radius": ["case", ["==", ["get", "next"], 1], 11, 8],
        "circle-color": COLORS as never,
        "circle-stroke-width": ["case", ["==", ["get", "next"], 1], 4, 2],
        "circle-stroke-color": ["case", ["==", ["get", "next"], 1], "#f59e0b", "#ffffff"],
      },
    });
    map.scrollZoom.disable();
    return () => removeFromMap(map, LAYERS, [LINE, STOPS]);
  }, [map]);

  const { stops, geometry } = props;
  useEffect(() => {
    const data = collections({ stops, geometry });
    (map.getSource(LINE) as GeoJSONSource | undefined)?.setData(data.line);
    (map.getSource(STOPS) as GeoJSONSource | undefined)?.setData(data.points);
    const first = data.coordinates[0];
    if (first) {
      const bounds = data.coordinates.reduce(
        (box, c) => box.extend(c),
        new maplibregl.LngLatBounds(first, first),
      );
      map.fitBounds(bounds, { padding: 30, maxZoom: 15, duration: 0 });
    }
  }, [map, maplibregl, stops, geometry]);

  return null;
}

/** A dispatched route on the app's basemap (offline by default). */
export default function DispatchMap(props: RouteMapProps) {
  const config = useQuery(mapConfigQueryOptions());
  if (config.isPending) return <Loading label="Loading the map…" />;
  if (config.isError) return <ErrorNotice error={config.error} title="The map could not load." />;
  return (
    <MapView config={config.data}>
      <RouteLayers {...props} />
    </MapView>
  );
}
