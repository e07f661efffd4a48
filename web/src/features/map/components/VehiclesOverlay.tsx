import { QueryObserver, useQueryClient } from "@tanstack/react-query";
import type { Map as MapLibreMap, MapMouseEvent } from "maplibre-gl";
import { useEffect, useRef } from "react";

import { Timings } from "@/lib/live";

import { fleetStateQueryOptions, openAlertsQueryOptions } from "../api";
import { overlayVehicles } from "../features";
import {
  CLUSTER_MAX_ZOOM,
  drawMarks,
  hitTest,
  markVehicles,
  placeMarks,
  type Mark,
  type OverlayVehicle,
  type PlacedMark,
} from "../overlay";
import { useMap } from "./MapContext";

/** What browser tests read of the overlay: what it drew, where, and how often. */
export interface OverlayProbe {
  marks(): { kind: "vehicle" | "cluster"; id: string; lng: number; lat: number; x: number; y: number; count: number }[];
  draws: number;
}

declare global {
  interface Window {
    /** How long each overlay update takes (browser tests report it). */
    __fleetyardMapTimings?: () => ReturnType<Timings["summary"]>;
    __fleetyardVehicleOverlay?: OverlayProbe;
  }
}

/** Statuses recomputed this often without news (a quiet vehicle turns stale). */
const RESTATUS_MS = 15_000;
/** A cluster clicked opens to this zoom at most (its vehicles apart, one zoom past clustering). */
const CLUSTER_OPEN_MAX_ZOOM = CLUSTER_MAX_ZOOM + 1;

/** The zoom a set of marks was made for: marks change with the whole zoom, not with a pan. */
function markZoom(zoom: number): number {
  return zoom > CLUSTER_MAX_ZOOM ? Infinity : Math.floor(zoom);
}

/**
 * The vehicles on a 2D canvas laid over the map's WebGL canvas (inside MapLibre's canvas
 * container, so the map's controls stay above it; it takes no pointer events, the map's own
 * click and mousemove are hit-tested here). Drawn at most once per animation frame, and only
 * when the vehicles, the selection, the pointer or the view changed; on a pan or zoom it is
 * drawn within the map's own frame ('render'), so both move together.
 */
export class VehicleCanvas {
  readonly canvas: HTMLCanvasElement;
  readonly timings = new Timings();
  draws = 0;
  private readonly context: CanvasRenderingContext2D | null;
  private vehicles: OverlayVehicle[] = [];
  private marks: Mark[] = [];
  private marksFor = NaN;
  private placed: PlacedMark[] = [];
  private selected: string | null = null;
  private hovered: string | null = null;
  private stale = { vehicles: true, marks: true, places: true, pixels: true };
  private frame: number | null = null;

  constructor(
    private readonly map: MapLibreMap,
    private readonly readVehicles: () => OverlayVehicle[],
    private readonly onSelect: (vehicleId: string) => void,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "map-vehicles";
    this.canvas.setAttribute("aria-hidden", "true"); // the list beside the map is their accessible view
    this.context = this.canvas.getContext("2d");
    map.getCanvasContainer().appendChild(this.canvas);
    map.on("move", this.viewChanged);
    map.on("resize", this.viewChanged);
    map.on("render", this.drawIfStale);
    map.on("click", this.click);
    map.on("mousemove", this.hover);
    map.on("mouseout", this.leave);
  }

  /** The fleet changed: read it again at the next frame (many updates, one read). */
  vehiclesChanged(): void {
    this.stale.vehicles = true;
    this.schedule();
  }

  setSelected(vehicleId: string | null): void {
    if (vehicleId === this.selected) return;
    this.selected = vehicleId;
    this.stale.pixels = true;
    this.schedule();
  }

  /** Draw now if anything changed (called by the map's own frames and by ours). */
  drawIfStale = (): void => {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    if (!Object.values(this.stale).some(Boolean)) return;
    this.timings.time(() => this.draw());
  };

  /** Where a vehicle is drawn, for tests: the marks on screen, with each cluster's first member's id. */
  probe(): ReturnType<OverlayProbe["marks"]> {
    return this.placed.map((mark) => ({
      kind: mark.kind,
      id: mark.kind === "cluster" ? mark.id : mark.vehicle.id,
      lng: mark.lng,
      lat: mark.lat,
      x: mark.x,
      y: mark.y,
      count: mark.kind === "cluster" ? mark.members.length : 1,
    }));
  }

  remove(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.map.off("move", this.viewChanged);
    this.map.off("resize", this.viewChanged);
    this.map.off("render", this.drawIfStale);
    this.map.off("click", this.click);
    this.map.off("mousemove", this.hover);
    this.map.off("mouseout", this.leave);
    this.canvas.remove();
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(this.drawIfStale);
  }

  private viewChanged = (): void => {
    if (markZoom(this.map.getZoom()) !== this.marksFor) this.stale.marks = true;
    this.stale.places = true;
    this.schedule();
  };

  private draw(): void {
    const width = this.map.getCanvas().clientWidth;
    const height = this.map.getCanvas().clientHeight;
    const ratio = window.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * ratio);
    const pixelHeight = Math.round(height * ratio);
    if (this.canvas.width !== pixelWidth || this.canvas.height !== pixelHeight) {
      this.canvas.width = pixelWidth; // clears it, and keeps it sharp on a high-density screen
      this.canvas.height = pixelHeight;
    }
    if (this.stale.vehicles) {
      this.vehicles = this.readVehicles();
      this.stale.marks = true;
    }
    if (this.stale.marks) {
      this.marksFor = markZoom(this.map.getZoom());
      this.marks = markVehicles(this.vehicles, this.map.getZoom());
      this.stale.places = true;
    }
    if (this.stale.places) {
      this.placed = placeMarks(this.marks, (lng, lat) => this.map.project([lng, lat]), width, height);
    }
    this.stale = { vehicles: false, marks: false, places: false, pixels: false };
    if (!this.context) return;
    const chosen = this.selected ? this.vehicles.find((v) => v.id === this.selected) : undefined;
    const at = chosen ? this.map.project([chosen.lng, chosen.lat]) : null;
    drawMarks(this.context, this.placed, {
      width,
      height,
      pixelRatio: ratio,
      selected: chosen && at ? { id: chosen.id, x: at.x, y: at.y } : null,
      hovered: this.hovered,
    });
    this.draws += 1;
  }

  private click = (event: MapMouseEvent): void => {
    const mark = hitTest(this.placed, event.point.x, event.point.y);
    if (!mark) return;
    if (mark.kind === "vehicle") {
      this.onSelect(mark.vehicle.id);
      return;
    }
    // A cluster opens: the map fits its vehicles (they fall apart a zoom or two closer).
    const lngs = mark.members.map((m) => m.lng);
    const lats = mark.members.map((m) => m.lat);
    this.map.fitBounds([Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)], {
      padding: 60,
      maxZoom: Math.max(CLUSTER_OPEN_MAX_ZOOM, this.map.getZoom() + 1),
    });
  };

  private hover = (event: MapMouseEvent): void => {
    const mark = hitTest(this.placed, event.point.x, event.point.y);
    this.map.getCanvas().style.cursor = mark ? "pointer" : "";
    const hovered = mark?.kind === "vehicle" ? mark.vehicle.id : null;
    if (hovered === this.hovered) return;
    this.hovered = hovered;
    this.stale.pixels = true;
    this.schedule();
  };

  private leave = (): void => {
    if (this.hovered === null) return;
    this.hovered = null;
    this.stale.pixels = true;
    this.schedule();
  };
}

/**
 * Every vehicle of the tenant, coloured by status, clustered when zoomed out, the selected one
 * ringed: drawn on the overlay from the cached fleet (live updates never repaint the WebGL
 * map, and never render React).
 */
export function VehiclesOverlay({
  selected,
  onSelect,
}: {
  selected: string | null;
  onSelect: (vehicleId: string) => void;
}) {
  const { map } = useMap();
  const client = useQueryClient();
  const select = useRef(onSelect);
  const chosen = useRef(selected);
  const overlay = useRef<VehicleCanvas | null>(null);
  useEffect(() => {
    select.current = onSelect;
    chosen.current = selected;
  }, [onSelect, selected]);

  useEffect(() => {
    const fleet = new QueryObserver(client, fleetStateQueryOptions());
    const alerts = new QueryObserver(client, openAlertsQueryOptions());
    const read = () => {
      const vehicles = fleet.getCurrentResult().data ?? [];
      const alerted = new Set((alerts.getCurrentResult().data ?? []).map((a) => a.vehicle_id));
      return overlayVehicles(vehicles, alerted, Date.now());
    };
    const canvas = new VehicleCanvas(map, read, (vehicleId) => select.current(vehicleId));
    overlay.current = canvas;
    canvas.setSelected(chosen.current);
    const update = () => canvas.vehiclesChanged();
    const stops = [fleet.subscribe(update), alerts.subscribe(update)];
    const restatus = setInterval(update, RESTATUS_MS);
    update();
    window.__fleetyardMapTimings = () => canvas.timings.summary();
    window.__fleetyardVehicleOverlay = {
      marks: () => canvas.probe(),
      get draws() {
        return canvas.draws;
      },
    };

    return () => {
      delete window.__fleetyardMapTimings;
      delete window.__fleetyardVehicleOverlay;
      for (const stop of stops) stop();
      clearInterval(restatus);
      canvas.remove();
      overlay.current = null;
    };
  }, [map, client]);

  useEffect(() => {
    overlay.current?.setSelected(selected);
  }, [selected]);

  return null;
}
