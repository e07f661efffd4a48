import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { fleetIndex } from "@/lib/live";

import { fleetStateQueryOptions, type FleetState } from "../api";
import { useMap } from "./MapContext";

const FOLLOW_ZOOM = 15;

function reducedMotion(): boolean {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
}

function selectedFix(fleet: FleetState, vehicleId: string) {
  const at = fleetIndex(fleet).get(vehicleId);
  const state = at === undefined ? null : fleet[at]?.state;
  return state ? ([state.longitude, state.latitude] as [number, number]) : null;
}

/**
 * The selected vehicle's camera: the map brought to it when picked, and kept centred on it
 * while following (its ring is drawn by the vehicles overlay). Dragging the map stops
 * following.
 */
export function SelectedLayer({
  vehicleId,
  follow,
  onStopFollowing,
}: {
  vehicleId: string;
  follow: boolean;
  onStopFollowing: () => void;
}) {
  const { map } = useMap();
  // Re-renders only when this vehicle's fix changes (the rest of the fleet shares objects).
  const fix = useQuery({
    ...fleetStateQueryOptions(),
    select: (fleet) => selectedFix(fleet, vehicleId),
  }).data;
  const lng = fix?.[0];
  const lat = fix?.[1];
  const stop = useRef(onStopFollowing);
  useEffect(() => {
    stop.current = onStopFollowing;
  }, [onStopFollowing]);

  // Picked: bring it into view once.
  const latest = useRef(fix);
  useEffect(() => {
    latest.current = fix;
  });
  const hasFix = lng !== undefined;
  useEffect(() => {
    const at = latest.current;
    if (!hasFix || !at) return;
    map.easeTo({
      center: at,
      zoom: Math.max(map.getZoom(), FOLLOW_ZOOM),
      duration: reducedMotion() ? 0 : 600,
    });
  }, [map, vehicleId, hasFix]);

  // Following: every new fix recentres the map.
  useEffect(() => {
    if (!follow || lng === undefined || lat === undefined) return;
    map.easeTo({ center: [lng, lat], duration: reducedMotion() ? 0 : 500 });
  }, [map, follow, lng, lat]);

  useEffect(() => {
    if (!follow) return;
    const dragged = () => stop.current();
    map.on("dragstart", dragged);
    return () => {
      map.off("dragstart", dragged);
    };
  }, [map, follow]);

  return null;
}
