import type * as maplibre from "maplibre-gl";
import type { Map as MapLibreMap } from "maplibre-gl";
import { createContext, useContext } from "react";

export type MapLibre = typeof maplibre;

export interface MapHandle {
  map: MapLibreMap;
  maplibregl: MapLibre;
}

export const MapContext = createContext<MapHandle | null>(null);

/** The map the layer components draw on (only inside a loaded MapView). */
export function useMap(): MapHandle {
  const handle = useContext(MapContext);
  if (!handle) throw new Error("useMap outside a MapView");
  return handle;
}

/** Remove a layer component's layers and sources, unless the map is already gone. */
export function removeFromMap(map: MapLibreMap, layers: string[], sources: string[]): void {
  if (!map.getStyle()) return;
  for (const id of layers) if (map.getLayer(id)) map.removeLayer(id);
  for (const id of sources) if (map.getSource(id)) map.removeSource(id);
}
