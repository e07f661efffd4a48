import type { FeatureCollection, Geometry } from "geojson";
import type { GeoJSONSource, Map as MapLibreMap, MapLayerMouseEvent, MapMouseEvent } from "maplibre-gl";
import { useEffect, useRef } from "react";

import type { Geofence } from "../api";
import { destination, distanceM, fromGeometry, outline, rings, type Draft, type Position } from "../geometry";

export type Mode = "idle" | "circle" | "polygon";

const FENCES = "geofences";
const DRAFT = "geofence-draft";
const HANDLES = "geofence-handles";
const PROBLEM = "geofence-problem";
const LAYERS = [`${FENCES}-fill`, `${FENCES}-line`, `${DRAFT}-fill`, `${DRAFT}-line`, `${HANDLES}-dot`, `${PROBLEM}-dot`];
const SOURCES = [FENCES, DRAFT, HANDLES, PROBLEM];
/** A click this close (px) to the last vertex is the second click of a double-click, not a vertex. */
const SAME_CLICK_PX = 6;
/** A circle drawn by a click without a drag. */
export const DEFAULT_RADIUS_M = 100;

const empty = { type: "FeatureCollection" as const, features: [] };

/** Remove our layers and sources, unless the map is already gone. */
function removeFromMap(map: MapLibreMap): void {
  if (!map.getStyle()) return;
  for (const id of LAYERS) if (map.getLayer(id)) map.removeLayer(id);
  for (const id of SOURCES) if (map.getSource(id)) map.removeSource(id);
}

interface Props {
  /** The map (given by the app's map frame, the live map's basemap and settings). */
  map: MapLibreMap;
  fences: Geofence[];
  /** The fence being edited (drawn from the draft instead). */
  editingId: string | null;
  draft: Draft | null;
  mode: Mode;
  problemAt: Position | null;
  colour: string;
  onDraft: (draft: Draft) => void;
  /** Drawing ended: a circle dragged out, or a polygon closed. */
  onDrawn: () => void;
  onPick: (id: string) => void;
  /** Fit to this box when it changes (a fence chosen in the list). */
  focus: [number, number, number, number] | null;
  /** Given the map's centre (for placing a shape from the keyboard). */
  centerRef: { current: () => Position };
}

function lngLat(event: MapMouseEvent): Position {
  return [event.lngLat.lng, event.lngLat.lat];
}

function handlesOf(draft: Draft | null) {
  if (!draft) return empty;
  if (draft.shape === "circle") {
    return {
      type: "FeatureCollection" as const,
      features: [
        { type: "Feature" as const, properties: { kind: "center", index: -1 }, geometry: { type: "Point" as const, coordinates: draft.center } },
        {
          type: "Feature" as const,
          properties: { kind: "radius", index: -1 },
          geometry: { type: "Point" as const, coordinates: destination(draft.center, draft.radiusM, 90) },
        },
      ],
    };
  }
  return {
    type: "FeatureCollection" as const,
    features: draft.vertices.map((v, index) => ({
      type: "Feature" as const,
      properties: { kind: "vertex", index },
      geometry: { type: "Point" as const, coordinates: v },
    })),
  };
}

/**
 * The tenant's geofences on the map, the one being drawn or edited over them with its
 * handles (drag a vertex, a circle's centre or its radius), and where the outline crosses
 * itself. Drawing: a circle by pressing at the centre and dragging the radius; a polygon by
 * clicking its vertices, closed by a double-click (or Enter, handled by the page).
 */
export function GeofenceLayers(props: Props) {
  const { map } = props;
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    map.addSource(FENCES, { type: "geojson", data: empty });
    map.addSource(DRAFT, { type: "geojson", data: empty });
    map.addSource(HANDLES, { type: "geojson", data: empty });
    map.addSource(PROBLEM, { type: "geojson", data: empty });
    map.addLayer({
      id: `${FENCES}-fill`,
      type: "fill",
      source: FENCES,
      paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.18 },
    });
    map.addLayer({
      id: `${FENCES}-line`,
      type: "line",
      source: FENCES,
      paint: { "line-color": ["get", "colour"], "line-width": 2 },
    });
    map.addLayer({
      id: `${DRAFT}-fill`,
      type: "fill",
      source: DRAFT,
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.3 },
    });
    map.addLayer({
      id: `${DRAFT}-line`,
      type: "line",
      source: DRAFT,
      paint: { "line-color": ["get", "colour"], "line-width": 3, "line-dasharray": [2, 1] },
    });
    map.addLayer({
      id: `${HANDLES}-dot`,
      type: "circle",
      source: HANDLES,
      paint: {
        "circle-radius": ["match", ["get", "kind"], "radius", 6, 7],
        "circle-color": "#ffffff",
        "circle-stroke-width": 3,
        "circle-stroke-color": ["match", ["get", "kind"], "radius", "#111827", "#1d4ed8"],
      },
    });
    map.addLayer({
      id: `${PROBLEM}-dot`,
      type: "circle",
      source: PROBLEM,
      paint: { "circle-radius": 10, "circle-color": "#dc2626", "circle-opacity": 0.8, "circle-stroke-width": 2, "circle-stroke-color": "#ffffff" },
    });
    return () => removeFromMap(map);
  }, [map]);

  const { fences, editingId, draft, colour, mode, problemAt } = props;

  // The stored fences.
  useEffect(() => {
    const features = fences.flatMap((fence) => {
      if (fence.id === editingId) return [];
      const draft = fromGeometry(fence.geometry, fence.radius_m);
      if (!draft) return [];
      return [
        {
          type: "Feature" as const,
          id: undefined,
          properties: { id: fence.id, colour: fence.colour, name: fence.name },
          geometry: { type: "Polygon" as const, coordinates: rings(draft) },
        },
      ];
    });
    (map.getSource(FENCES) as GeoJSONSource | undefined)?.setData({ type: "FeatureCollection", features });
  }, [map, fences, editingId]);

  // The draft and its handles.
  useEffect(() => {
    let data: FeatureCollection = empty;
    if (draft) {
      const ring = outline(draft);
      const open = draft.shape === "polygon" && (mode === "polygon" || ring.length < 4);
      const geometry: Geometry = open
        ? { type: "LineString", coordinates: draft.shape === "polygon" ? draft.vertices : ring }
        : { type: "Polygon", coordinates: rings(draft) };
      data = { type: "FeatureCollection", features: [{ type: "Feature", properties: { colour }, geometry }] };
    }
    (map.getSource(DRAFT) as GeoJSONSource | undefined)?.setData(data);
    (map.getSource(HANDLES) as GeoJSONSource | undefined)?.setData(handlesOf(draft));
  }, [map, draft, colour, mode]);

  useEffect(() => {
    const at = problemAt;
    (map.getSource(PROBLEM) as GeoJSONSource | undefined)?.setData(
      at ? { type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: at } }] } : empty,
    );
  }, [map, problemAt]);

  const { centerRef, focus } = props;
  useEffect(() => {
    centerRef.current = () => {
      const c = map.getCenter();
      return [c.lng, c.lat];
    };
  }, [map, centerRef]);

  useEffect(() => {
    if (focus) map.fitBounds(focus, { padding: 60, maxZoom: 17, duration: 0 });
  }, [map, focus]);

  // Drawing and dragging.
  useEffect(() => {
    const canvas = map.getCanvasContainer();
    let dragging: { kind: string; index: number } | null = null;
    let drawingCircle = false;

    const hold = () => {
      map.dragPan.disable();
      canvas.style.cursor = "grabbing";
    };
    const release = () => {
      map.dragPan.enable();
      canvas.style.cursor = "";
    };

    const onHandleDown = (event: MapLayerMouseEvent) => {
      if (latest.current.mode !== "idle" || !latest.current.draft) return;
      const feature = event.features?.[0];
      if (!feature) return;
      event.preventDefault();
      dragging = { kind: String(feature.properties.kind), index: Number(feature.properties.index) };
      hold();
    };
    const onDown = (event: MapMouseEvent) => {
      const { mode } = latest.current;
      if (mode !== "circle") return;
      event.preventDefault();
      drawingCircle = true;
      latest.current.onDraft({ shape: "circle", center: lngLat(event), radiusM: DEFAULT_RADIUS_M });
      hold();
    };
    const onMove = (event: MapMouseEvent) => {
      const { draft, onDraft } = latest.current;
      if (!draft) return;
      const at = lngLat(event);
      if (drawingCircle && draft.shape === "circle") {
        const radius = distanceM(draft.center, at);
        // A click without a drag keeps the default radius.
        const pixels = map.project(draft.center).dist(event.point);
        if (pixels > SAME_CLICK_PX) onDraft({ ...draft, radiusM: Math.round(radius) });
        return;
      }
      if (!dragging) return;
      if (draft.shape === "circle") {
        if (dragging.kind === "center") onDraft({ ...draft, center: at });
        else onDraft({ ...draft, radiusM: Math.round(distanceM(draft.center, at)) });
      } else if (dragging.kind === "vertex") {
        onDraft({ ...draft, vertices: draft.vertices.map((v, i) => (i === dragging!.index ? at : v)) });
      }
    };
    const onUp = () => {
      if (drawingCircle) {
        drawingCircle = false;
        release();
        latest.current.onDrawn();
      }
      if (dragging) {
        dragging = null;
        release();
      }
    };
    const onClick = (event: MapMouseEvent) => {
      const { mode, draft, onDraft, onPick } = latest.current;
      if (mode === "polygon") {
        const vertices = draft?.shape === "polygon" ? draft.vertices : [];
        const last = vertices[vertices.length - 1];
        if (last && map.project(last).dist(event.point) < SAME_CLICK_PX) return;
        onDraft({ shape: "polygon", vertices: [...vertices, lngLat(event)] });
        return;
      }
      if (mode === "idle") {
        const hit = map.queryRenderedFeatures(event.point, { layers: [`${FENCES}-fill`] })[0];
        if (hit?.properties.id) onPick(String(hit.properties.id));
      }
    };
    const onDoubleClick = (event: MapMouseEvent) => {
      if (latest.current.mode !== "polygon") return;
      event.preventDefault(); // no zoom
      latest.current.onDrawn();
    };
    const onEnterHandle = () => {
      if (latest.current.mode === "idle") canvas.style.cursor = "grab";
    };
    const onLeaveHandle = () => {
      if (!dragging) canvas.style.cursor = "";
    };

    map.on("mousedown", `${HANDLES}-dot`, onHandleDown);
    map.on("touchstart", `${HANDLES}-dot`, onHandleDown as never);
    map.on("mouseenter", `${HANDLES}-dot`, onEnterHandle);
    map.on("mouseleave", `${HANDLES}-dot`, onLeaveHandle);
    map.on("mousedown", onDown);
    map.on("mousemove", onMove);
    map.on("touchmove", onMove as never);
    map.on("mouseup", onUp);
    map.on("touchend", onUp);
    map.on("click", onClick);
    map.on("dblclick", onDoubleClick);
    return () => {
      map.off("mousedown", `${HANDLES}-dot`, onHandleDown);
      map.off("touchstart", `${HANDLES}-dot`, onHandleDown as never);
      map.off("mouseenter", `${HANDLES}-dot`, onEnterHandle);
      map.off("mouseleave", `${HANDLES}-dot`, onLeaveHandle);
      map.off("mousedown", onDown);
      map.off("mousemove", onMove);
      map.off("touchmove", onMove as never);
      map.off("mouseup", onUp);
      map.off("touchend", onUp);
      map.off("click", onClick);
      map.off("dblclick", onDoubleClick);
      release();
    };
  }, [map]);

  useEffect(() => {
    map.getCanvasContainer().style.cursor = mode === "idle" ? "" : "crosshair";
    if (mode === "polygon") map.doubleClickZoom.disable();
    else map.doubleClickZoom.enable();
  }, [map, mode]);

  return null;
}
