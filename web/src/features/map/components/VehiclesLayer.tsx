import { QueryObserver, useQueryClient } from "@tanstack/react-query";
import type { GeoJSONSource, Map as MapLibreMap, MapGeoJSONFeature, Marker } from "maplibre-gl";
import { useEffect, useRef } from "react";

import { Timings } from "@/lib/live";

import { fleetStateQueryOptions, openAlertsQueryOptions } from "../api";
import { collection, diffSize, featureDiff, fleetFeatures, type VehicleFeature } from "../features";
import { STATUS_STYLE } from "../status";
import { removeFromMap, useMap, type MapLibre } from "./MapContext";

declare global {
  interface Window {
    /** How long each frame's map update takes (browser tests report it). */
    __fleetyardMapTimings?: () => ReturnType<Timings["summary"]>;
  }
}

export const VEHICLES_SOURCE = "vehicles";
const CLUSTERS = "vehicle-clusters";
const POINTS = "vehicle-points";
/** Statuses recomputed this often without news (a quiet vehicle turns stale). */
const RESTATUS_MS = 15_000;

const statusColor = [
  "match",
  ["get", "status"],
  ...Object.entries(STATUS_STYLE).flatMap(([status, style]) => [status, style.color]),
  STATUS_STYLE.idle.color,
];

function addLayers(map: MapLibreMap): void {
  map.addSource(VEHICLES_SOURCE, {
    type: "geojson",
    data: collection([]),
    cluster: true,
    clusterMaxZoom: 14,
    clusterRadius: 48,
    promoteId: "id",
    // how many vehicles of a cluster have an alert: the cluster wears a red ring
    clusterProperties: { alerts: ["+", ["case", ["==", ["get", "status"], "alert"], 1, 0]] },
  });
  map.addLayer({
    id: CLUSTERS,
    type: "circle",
    source: VEHICLES_SOURCE,
    filter: ["has", "point_count"],
    paint: {
      "circle-color": "#1e3a8a",
      "circle-opacity": 0.85,
      "circle-radius": ["step", ["get", "point_count"], 14, 10, 18, 100, 24, 1000, 30],
      "circle-stroke-width": 3,
      "circle-stroke-color": ["case", [">", ["get", "alerts"], 0], "#b91c1c", "#ffffff"],
    },
  });
  map.addLayer({
    id: POINTS,
    type: "circle",
    source: VEHICLES_SOURCE,
    filter: ["!", ["has", "point_count"]],
    paint: {
      "circle-color": statusColor as never,
      "circle-radius": ["case", ["==", ["get", "status"], "alert"], 8, 7],
      "circle-stroke-width": 2,
      "circle-stroke-color": "#ffffff",
    },
  });
}

/**
 * Keeps the vehicles source equal to the cached fleet: one update per animation frame at
 * most, and only the vehicles that changed (MapLibre's updateData), never a React render.
 */
class FleetRenderer {
  private shown = new Map<string, VehicleFeature>();
  private primed = false;

  constructor(private readonly source: GeoJSONSource) {}

  draw(features: Map<string, VehicleFeature>): void {
    const diff = featureDiff(this.shown, features);
    const size = diffSize(diff);
    if (!this.primed || size > features.size / 2) {
      this.source.setData(collection(features.values()));
      this.primed = true;
    } else if (size) {
      this.source.updateData(diff);
    }
    this.shown = features;
  }
}

/**
 * Cluster sizes as text: the offline style has no font glyphs, so the counts are small
 * HTML labels over the cluster circles (hidden from screen readers: the list is the
 * accessible view of the fleet).
 */
class ClusterLabels {
  private labels = new Map<number, Marker>();
  private last = 0;

  constructor(
    private readonly map: MapLibreMap,
    private readonly maplibregl: MapLibre,
  ) {}

  update = (): void => {
    const now = performance.now();
    if (now - this.last < 200 || !this.map.getSource(VEHICLES_SOURCE)) return;
    if (!this.map.isSourceLoaded(VEHICLES_SOURCE)) return;
    this.last = now;
    const seen = new Set<number>();
    for (const feature of this.map.querySourceFeatures(VEHICLES_SOURCE)) {
      const props = feature.properties as { cluster?: boolean; cluster_id?: number; point_count?: number };
      if (!props.cluster || props.cluster_id === undefined || seen.has(props.cluster_id)) continue;
      seen.add(props.cluster_id);
      const at = (feature.geometry as GeoJSON.Point).coordinates as [number, number];
      let label = this.labels.get(props.cluster_id);
      if (!label) {
        const element = document.createElement("span");
        element.className = "cluster-count";
        element.setAttribute("aria-hidden", "true");
        label = new this.maplibregl.Marker({ element }).setLngLat(at).addTo(this.map);
        this.labels.set(props.cluster_id, label);
      } else {
        label.setLngLat(at);
      }
      label.getElement().textContent = String(props.point_count ?? "");
    }
    for (const [id, label] of this.labels) {
      if (!seen.has(id)) {
        label.remove();
        this.labels.delete(id);
      }
    }
  };

  remove(): void {
    for (const label of this.labels.values()) label.remove();
    this.labels.clear();
  }
}

/** Every vehicle of the tenant, coloured by status, clustered when zoomed out. */
export function VehiclesLayer({ onSelect }: { onSelect: (vehicleId: string) => void }) {
  const { map, maplibregl } = useMap();
  const client = useQueryClient();
  const select = useRef(onSelect);
  useEffect(() => {
    select.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    addLayers(map);
    const renderer = new FleetRenderer(map.getSource(VEHICLES_SOURCE) as GeoJSONSource);
    const labels = new ClusterLabels(map, maplibregl);
    const fleet = new QueryObserver(client, fleetStateQueryOptions());
    const alerts = new QueryObserver(client, openAlertsQueryOptions());

    let frame: number | null = null;
    const timings = new Timings();
    window.__fleetyardMapTimings = () => timings.summary();
    const draw = () => {
      frame = null;
      const vehicles = fleet.getCurrentResult().data;
      if (!vehicles) return;
      const alerted = new Set((alerts.getCurrentResult().data ?? []).map((a) => a.vehicle_id));
      timings.time(() => renderer.draw(fleetFeatures(vehicles, alerted, Date.now())));
    };
    const schedule = () => {
      frame ??= requestAnimationFrame(draw);
    };
    const stops = [fleet.subscribe(schedule), alerts.subscribe(schedule)];
    const restatus = setInterval(schedule, RESTATUS_MS);
    schedule();

    const clickPoint = (event: { features?: MapGeoJSONFeature[] }) => {
      const id = event.features?.[0]?.properties?.id;
      if (typeof id === "string") select.current(id);
    };
    const clickCluster = async (event: { features?: MapGeoJSONFeature[] }) => {
      const feature = event.features?.[0];
      const clusterId = feature?.properties?.cluster_id;
      if (!feature || typeof clusterId !== "number") return;
      const source = map.getSource(VEHICLES_SOURCE) as GeoJSONSource;
      const zoom = await source.getClusterExpansionZoom(clusterId);
      const center = (feature.geometry as GeoJSON.Point).coordinates as [number, number];
      map.easeTo({ center, zoom });
    };
    const pointer = () => (map.getCanvas().style.cursor = "pointer");
    const plain = () => (map.getCanvas().style.cursor = "");
    map.on("click", POINTS, clickPoint);
    map.on("click", CLUSTERS, clickCluster);
    for (const layer of [POINTS, CLUSTERS]) {
      map.on("mouseenter", layer, pointer);
      map.on("mouseleave", layer, plain);
    }
    map.on("render", labels.update);
    map.on("idle", labels.update);

    return () => {
      delete window.__fleetyardMapTimings;
      for (const stop of stops) stop();
      clearInterval(restatus);
      if (frame !== null) cancelAnimationFrame(frame);
      map.off("click", POINTS, clickPoint);
      map.off("click", CLUSTERS, clickCluster);
      for (const layer of [POINTS, CLUSTERS]) {
        map.off("mouseenter", layer, pointer);
        map.off("mouseleave", layer, plain);
      }
      map.off("render", labels.update);
      map.off("idle", labels.update);
      labels.remove();
      removeFromMap(map, [POINTS, CLUSTERS], [VEHICLES_SOURCE]);
    };
  }, [map, maplibregl, client]);

  return null;
}
