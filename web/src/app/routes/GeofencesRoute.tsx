import { useQuery } from "@tanstack/react-query";
import type { Map as MapLibreMap } from "maplibre-gl";
import type { ReactNode } from "react";

import { ErrorNotice, Loading } from "@/components/Status";
import { GeofencesPage } from "@/features/geofences/components/GeofencesPage";
import { mapConfigQueryOptions } from "@/features/map/api";
import { useMap } from "@/features/map/components/MapContext";
import { MapView } from "@/features/map/components/MapView";
import "@/features/map/map.css";

function WithMap({ children }: { children: (map: MapLibreMap) => ReactNode }) {
  const { map } = useMap();
  return <>{children(map)}</>;
}

/** The live map's basemap and settings, as the geofence editor's map. */
function GeofenceMap({ children }: { children: (map: MapLibreMap) => ReactNode }) {
  const config = useQuery(mapConfigQueryOptions());
  if (config.isPending) return <Loading label="Loading the map…" />;
  if (config.isError) return <ErrorNotice error={config.error} title="The map settings could not load." />;
  return (
    <MapView config={config.data}>
      <WithMap>{children}</WithMap>
    </MapView>
  );
}

/** The geofences screen, with the product's map composed in. */
export function GeofencesRoute() {
  return <GeofencesPage MapFrame={GeofenceMap} />;
}
