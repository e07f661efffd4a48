import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { fleetStateQueryOptions, type MapConfig } from "../api";
import { fitPadding, openingBox } from "../view";
import { useMap } from "./MapContext";

/** Close enough to read the streets around a lone vehicle, not its kerb. */
const FIT_MAX_ZOOM = 16;

/**
 * Opens the map on the fleet: once, when the map has loaded and the fleet is known, the map
 * fits the vehicles' latest positions (or the drawn basemap when none has one). Never again
 * on live updates, and not at all when the address already picks a vehicle (`skip`, read when
 * the map loads: that vehicle's layer brings the map to it).
 */
export function FitToFleet({ config, skip }: { config: MapConfig; skip: boolean }) {
  const { map } = useMap();
  const client = useQueryClient();
  const skipAtLoad = useRef(skip);

  useEffect(() => {
    if (skipAtLoad.current) return;
    let cancelled = false;
    client
      .ensureQueryData(fleetStateQueryOptions())
      .catch(() => undefined) // the list says why the fleet could not load
      .then((fleet) => {
        const opening = openingBox(fleet, config);
        if (cancelled || !opening) return;
        const canvas = map.getCanvas();
        map.fitBounds(opening.box, {
          padding: fitPadding(canvas.clientWidth, canvas.clientHeight),
          maxZoom: FIT_MAX_ZOOM,
          duration: 0,
        });
        map.getContainer().dataset.fitted = opening.on; // for browser tests: what it opened on
      });
    return () => {
      cancelled = true;
    };
  }, [map, client, config]);

  return null;
}
