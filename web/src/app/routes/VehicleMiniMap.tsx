import { useQuery } from "@tanstack/react-query";
import type { GeoJSONSource } from "maplibre-gl";
import { useEffect } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { mapConfigQueryOptions } from "@/features/map/api";
import { removeFromMap, useMap } from "@/features/map/components/MapContext";
import { MapView } from "@/features/map/components/MapView";
import "@/features/map/map.css";
import type { MiniMapProps } from "@/features/vehicles/components/VehicleNow";

const SOURCE = "mini-map-vehicle";
const POINT = "mini-map-vehicle-point";
const ZOOM = 15;

function point(longitude: number, latitude: number) {
  return {
    type: "FeatureCollection" as const,
    features: [
      { type: "Feature" as const, properties: {}, geometry: { type: "Point" as const, coordinates: [longitude, latitude] } },
    ],
  };
}

/** One vehicle as a marker in its state's colour, the map centred on it as it moves. */
function VehicleMarker({ latitude, longitude, color }: MiniMapProps) {
  const { map } = useMap();

  useEffect(() => {
    map.addSource(SOURCE, { type: "geojson", data: point(0, 0) });
    map.addLayer({
      id: POINT,
      type: "circle",
      source: SOURCE,
      paint: { "circle-radius": 8, "circle-stroke-width": 2, "circle-stroke-color": "#ffffff" },
    });
    // A small map inside a page: the wheel scrolls the page, the buttons zoom.
    map.scrollZoom.disable();
    return () => removeFromMap(map, [POINT], [SOURCE]);
  }, [map]);

  useEffect(() => {
    (map.getSource(SOURCE) as GeoJSONSource | undefined)?.setData(point(longitude, latitude));
    map.jumpTo({ center: [longitude, latitude], zoom: Math.max(map.getZoom(), ZOOM) });
  }, [map, latitude, longitude]);

  useEffect(() => {
    if (map.getLayer(POINT)) map.setPaintProperty(POINT, "circle-color", color);
  }, [map, color]);

  return null;
}

/** The vehicle page's small map: the app's basemap (offline by default), one vehicle on it. */
export default function VehicleMiniMap(props: MiniMapProps) {
  const config = useQuery(mapConfigQueryOptions());
  if (config.isPending) return <Loading label="Loading the map…" />;
  if (config.isError) return <ErrorNotice error={config.error} title="The map could not load." />;
  return (
    <MapView config={config.data}>
      <VehicleMarker {...props} />
    </MapView>
  );
}
