import { useQuery } from "@tanstack/react-query";
import type { GeoJSONSource, Marker } from "maplibre-gl";
import { useEffect } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { mapConfigQueryOptions } from "@/features/map/api";
import { removeFromMap, useMap } from "@/features/map/components/MapContext";
import { MapView } from "@/features/map/components/MapView";
import type { DrawnRoute, PlanMapProps } from "@/features/routeplans";
import "@/features/map/map.css";

const SOURCE = "rp-routes";
const LAYERS = ["rp-routes-casing", "rp-routes-solid", "rp-routes-dashed"];

function collection(routes: readonly DrawnRoute[]) {
  return {
    type: "FeatureCollection" as const,
    features: routes
      .filter((r) => r.line.length > 1)
      .map((r) => ({
        type: "Feature" as const,
        properties: { colour: r.colour, dashed: r.dashed, vehicle: r.vehicle },
        geometry: { type: "LineString" as const, coordinates: r.line },
      })),
  };
}

/** One line per route in its colour (a white casing under it so light colours read), each stop
 * a numbered marker in the route's colour, each start a square; fitted when the plan opens. */
function PlanLayers({ routes }: PlanMapProps) {
  const { map, maplibregl } = useMap();

  useEffect(() => {
    map.addSource(SOURCE, { type: "geojson", data: collection([]) });
    const layout = { "line-cap": "round", "line-join": "round" } as const;
    map.addLayer({ id: "rp-routes-casing", type: "line", source: SOURCE, layout, paint: { "line-color": "#ffffff", "line-width": 7 } });
    map.addLayer({
      id: "rp-routes-solid",
      type: "line",
      source: SOURCE,
      layout,
      filter: ["!", ["get", "dashed"]],
      paint: { "line-color": ["get", "colour"], "line-width": 4 },
    });
    map.addLayer({
      id: "rp-routes-dashed",
      type: "line",
      source: SOURCE,
      filter: ["get", "dashed"],
      paint: { "line-color": ["get", "colour"], "line-width": 4, "line-dasharray": [2, 1.5] },
    });
    map.scrollZoom.disable(); // a map inside a page: the wheel scrolls the page
    return () => removeFromMap(map, LAYERS, [SOURCE]);
  }, [map]);

  useEffect(() => {
    (map.getSource(SOURCE) as GeoJSONSource | undefined)?.setData(collection(routes));
    const markers: Marker[] = [];
    const add = (lon: number, lat: number, className: string, text: string, colour: string, title: string) => {
      const element = document.createElement("div");
      element.className = className;
      element.textContent = text;
      element.style.setProperty("--rp-colour", colour);
      element.title = title;
      element.setAttribute("aria-hidden", "true");
      markers.push(new maplibregl.Marker({ element }).setLngLat([lon, lat]).addTo(map));
    };
    const starts = new Set<string>();
    for (const route of routes) {
      const key = route.start ? `${route.start.lat},${route.start.lon}` : "";
      if (route.start && !starts.has(key)) {
        starts.add(key);
        add(route.start.lon, route.start.lat, "rp-depot", "", "#1f2937", "Start");
      }
      for (const stop of route.stops)
        add(stop.at.lon, stop.at.lat, "rp-stop-marker", String(stop.number), route.colour, `${route.vehicle}: stop ${stop.number}, ${stop.jobId}`);
    }
    return () => {
      for (const marker of markers) marker.remove();
    };
  }, [map, maplibregl, routes]);

  const shown = routes.length > 0;
  useEffect(() => {
    if (!shown) return;
    const points = routes.flatMap((r) => [...r.line, ...r.stops.map((s) => [s.at.lon, s.at.lat] as [number, number])]);
    const first = points[0];
    if (!first) return;
    const bounds = points.reduce((box, p) => box.extend(p), new maplibregl.LngLatBounds(first, first));
    map.fitBounds(bounds, { padding: 40, maxZoom: 15, duration: 0 });
    // fitted when the plan opens; moving stops keeps the view
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, maplibregl, shown]);

  return null;
}

/** A route plan's routes on the app's basemap (offline by default). */
export default function RoutePlanMap(props: PlanMapProps) {
  const config = useQuery(mapConfigQueryOptions());
  if (config.isPending) return <Loading label="Loading the map…" />;
  if (config.isError) return <ErrorNotice error={config.error} title="The map could not load." />;
  return (
    <MapView config={config.data}>
      <PlanLayers {...props} />
    </MapView>
  );
}
