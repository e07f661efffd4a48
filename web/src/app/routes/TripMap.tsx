import { useQuery } from "@tanstack/react-query";
import type { GeoJSONSource } from "maplibre-gl";
import { useEffect } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { mapConfigQueryOptions } from "@/features/map/api";
import { removeFromMap, useMap } from "@/features/map/components/MapContext";
import { MapView } from "@/features/map/components/MapView";
import "@/features/map/map.css";
import type { TripMapProps } from "@/features/trips/components/TripPlayback";
import { lineUpTo, pointAt } from "@/features/trips/timeline";

const ROUTE = "trip-route";
const DRIVEN = "trip-driven";
const ENDS = "trip-ends";
const EVENTS = "trip-events";
const HERE = "trip-here";
const LAYERS = [`${ROUTE}-line`, `${DRIVEN}-line`, `${EVENTS}-dot`, `${ENDS}-dot`, `${HERE}-dot`];
const empty = { type: "FeatureCollection" as const, features: [] };
const line = (coordinates: [number, number][]) =>
  coordinates.length > 1
    ? { type: "Feature" as const, properties: {}, geometry: { type: "LineString" as const, coordinates } }
    : empty;
const point = (lng: number, lat: number, properties: Record<string, string> = {}) => ({
  type: "Feature" as const,
  properties,
  geometry: { type: "Point" as const, coordinates: [lng, lat] },
});

/** The trip on the map: its route faint, the part played strong, start (green) and end (red),
 * its driving events (orange) and the vehicle where the playback clock is. */
function TripLayers({ track, events, time }: TripMapProps) {
  const { map, maplibregl } = useMap();

  useEffect(() => {
    for (const id of [ROUTE, DRIVEN, ENDS, EVENTS, HERE]) map.addSource(id, { type: "geojson", data: empty });
    const layout = { "line-cap": "round", "line-join": "round" } as const;
    map.addLayer({ id: `${ROUTE}-line`, type: "line", source: ROUTE, layout, paint: { "line-color": "#6d28d9", "line-width": 4, "line-opacity": 0.35 } });
    map.addLayer({ id: `${DRIVEN}-line`, type: "line", source: DRIVEN, layout, paint: { "line-color": "#6d28d9", "line-width": 4 } });
    map.addLayer({
      id: `${EVENTS}-dot`,
      type: "circle",
      source: EVENTS,
      paint: { "circle-radius": 6, "circle-color": "#ea580c", "circle-stroke-width": 2, "circle-stroke-color": "#ffffff" },
    });
    map.addLayer({
      id: `${ENDS}-dot`,
      type: "circle",
      source: ENDS,
      paint: {
        "circle-radius": 7,
        "circle-color": ["match", ["get", "end"], "start", "#15803d", "#b91c1c"],
        "circle-stroke-width": 2,
        "circle-stroke-color": "#ffffff",
      },
    });
    map.addLayer({
      id: `${HERE}-dot`,
      type: "circle",
      source: HERE,
      paint: { "circle-radius": 9, "circle-color": "#6d28d9", "circle-stroke-width": 3, "circle-stroke-color": "#ffffff" },
    });
    // A map inside a page: the wheel scrolls the page, the buttons zoom.
    map.scrollZoom.disable();
    return () => removeFromMap(map, LAYERS, [ROUTE, DRIVEN, ENDS, EVENTS, HERE]);
  }, [map]);

  useEffect(() => {
    (map.getSource(ROUTE) as GeoJSONSource | undefined)?.setData(line(track.map((p) => [p.lng, p.lat])));
    const first = track[0];
    const last = track.at(-1);
    (map.getSource(ENDS) as GeoJSONSource | undefined)?.setData(
      first && last
        ? { type: "FeatureCollection", features: [point(first.lng, first.lat, { end: "start" }), point(last.lng, last.lat, { end: "end" })] }
        : empty,
    );
    if (first) {
      const bounds = track.reduce(
        (box, p) => box.extend([p.lng, p.lat]),
        new maplibregl.LngLatBounds([first.lng, first.lat], [first.lng, first.lat]),
      );
      map.fitBounds(bounds, { padding: 40, maxZoom: 16, duration: 0 });
    }
  }, [map, maplibregl, track]);

  useEffect(() => {
    (map.getSource(EVENTS) as GeoJSONSource | undefined)?.setData({
      type: "FeatureCollection",
      features: events.map((e) => point(e.longitude, e.latitude, { kind: e.kind })),
    });
  }, [map, events]);

  useEffect(() => {
    const here = pointAt(track, time);
    (map.getSource(DRIVEN) as GeoJSONSource | undefined)?.setData(line(lineUpTo(track, time)));
    (map.getSource(HERE) as GeoJSONSource | undefined)?.setData(here ? point(here.lng, here.lat) : empty);
  }, [map, track, time]);

  return null;
}

/** The trips screen's map: the app's basemap (offline by default) with the trip drawn on it. */
export default function TripMap(props: TripMapProps) {
  const config = useQuery(mapConfigQueryOptions());
  if (config.isPending) return <Loading label="Loading the map…" />;
  if (config.isError) return <ErrorNotice error={config.error} title="The map could not load." />;
  return (
    <MapView config={config.data}>
      <TripLayers {...props} />
    </MapView>
  );
}
