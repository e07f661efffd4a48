import { useQuery } from "@tanstack/react-query";
import type { GeoJSONSource } from "maplibre-gl";
import { useEffect } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { mapConfigQueryOptions } from "@/features/map/api";
import { removeFromMap, useMap } from "@/features/map/components/MapContext";
import { MapView } from "@/features/map/components/MapView";
import "@/features/map/map.css";
import type { EventMapProps } from "@/features/scorecard/components/ScorecardPage";

const SOURCE = "scorecard-events";
const DOT = "scorecard-events-dot";
/** Close enough to see the street, far enough to see where it is. */
const MAX_ZOOM = 16;

function points({ events, selectedId }: EventMapProps) {
  return {
    type: "FeatureCollection" as const,
    features: events.map((event) => ({
      type: "Feature" as const,
      properties: { id: event.id, selected: event.id === selectedId },
      geometry: { type: "Point" as const, coordinates: [event.longitude, event.latitude] },
    })),
  };
}

/** The deduction's events as orange dots (the picked one larger, violet); the map fits them,
 * or centres on the picked one. */
function EventDots(props: EventMapProps) {
  const { map, maplibregl } = useMap();
  const { events, selectedId } = props;

  useEffect(() => {
    map.addSource(SOURCE, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({
      id: DOT,
      type: "circle",
      source: SOURCE,
      paint: {
        "circle-radius": ["case", ["get", "selected"], 9, 6],
        "circle-color": ["case", ["get", "selected"], "#6d28d9", "#ea580c"],
        "circle-stroke-width": 2,
        "circle-stroke-color": "#ffffff",
      },
    });
    // A small map inside a page: the wheel scrolls the page, the buttons zoom.
    map.scrollZoom.disable();
    return () => removeFromMap(map, [DOT], [SOURCE]);
  }, [map]);

  useEffect(() => {
    (map.getSource(SOURCE) as GeoJSONSource | undefined)?.setData(points({ events, selectedId, label: "" }));
    const picked = events.find((event) => event.id === selectedId);
    const first = events[0];
    if (picked) map.jumpTo({ center: [picked.longitude, picked.latitude], zoom: MAX_ZOOM });
    else if (first) {
      const bounds = events.reduce(
        (box, e) => box.extend([e.longitude, e.latitude]),
        new maplibregl.LngLatBounds([first.longitude, first.latitude], [first.longitude, first.latitude]),
      );
      map.fitBounds(bounds, { padding: 32, maxZoom: MAX_ZOOM, animate: false });
    }
  }, [map, maplibregl, events, selectedId]);

  return null;
}

/** A deduction's small map on the scorecard: the app's basemap (offline by default), the
 * events on it. */
export default function ScorecardEventMap(props: EventMapProps) {
  const config = useQuery(mapConfigQueryOptions());
  if (config.isPending) return <Loading label="Loading the map…" />;
  if (config.isError) return <ErrorNotice error={config.error} title="The map could not load." />;
  return (
    <MapView config={config.data}>
      <EventDots {...props} />
    </MapView>
  );
}
