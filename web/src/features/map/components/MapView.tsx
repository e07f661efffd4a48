import type { Map as MapLibreMap, MapSourceDataEvent } from "maplibre-gl";
import { useEffect, useRef, useState, type ReactNode } from "react";

import { ErrorNotice, Loading } from "@/components/Status";

import type { MapConfig } from "../api";
import { constrainCamera, maxBoxOf, type Box } from "../view";
import { MapContext, type MapHandle } from "./MapContext";

const MAX_ZOOM = 20;
/** The map shows by then even if it never settles (a camera kept moving, a layer file lost). */
const SHOW_AFTER_MS = 8000;
const GPU_POLL_MS = 50;
/** The user timing marked when the map's canvas shows. */
export const MAP_SHOWN = "fleetyard:map-shown";

declare global {
  interface Window {
    /** The live map, for browser tests that check it drew (loaded, frame times). */
    __fleetyardMap?: MapLibreMap;
  }
}

/** Style and layer URLs made absolute: MapLibre loads GeoJSON sources in a worker, where a
 * path alone means nothing. */
function absolute(url: string): string {
  return new URL(url, window.location.href).href;
}

/**
 * The lowest zoom: the settings' floor, or higher where the screen holds the drawn area and
 * its margin whole (zooming out further would only show more of what lies beyond).
 */
function holdMinZoom(map: MapLibreMap, maxBox: Box, floor: number, limits: { minZoom: number }) {
  const canvas = map.getCanvas();
  if (!canvas.clientWidth || !canvas.clientHeight) return;
  const fit = map.cameraForBounds(maxBox, { padding: 0 });
  limits.minZoom = Math.max(floor, Math.min(fit?.zoom ?? floor, MAX_ZOOM - 2));
  map.setMinZoom(limits.minZoom);
}

/**
 * Calls `done` once the basemap is complete on screen: each of the style's own sources has
 * loaded a tile (a GeoJSON source says it is loaded before its file has even been read), the
 * map is idle, and the GPU has finished drawing it (a WebGL2 fence, polled without blocking).
 */
function whenComplete(map: MapLibreMap, done: () => void): () => void {
  const pending = new Set(Object.keys(map.getStyle()?.sources ?? {}));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arrived = (event: MapSourceDataEvent) => {
    if (event.tile && event.isSourceLoaded) pending.delete(event.sourceId);
  };
  const waitForGpu = () => {
    const gl = map.getCanvas().getContext("webgl2");
    const fence = gl?.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    if (!gl || !fence) return done();
    gl.flush();
    const poll = () => {
      if (gl.getSyncParameter(fence, gl.SYNC_STATUS) !== gl.SIGNALED) {
        timer = setTimeout(poll, GPU_POLL_MS);
        return;
      }
      gl.deleteSync(fence);
      done();
    };
    poll();
  };
  const idle = () => {
    if (pending.size || !map.loaded()) return;
    stop();
    waitForGpu();
  };
  const stop = () => {
    map.off("sourcedata", arrived);
    map.off("idle", idle);
  };
  map.on("sourcedata", arrived);
  map.on("idle", idle);
  return () => {
    stop();
    clearTimeout(timer);
  };
}

/**
 * Shows the map's WebGL canvas once the basemap is complete (or after SHOW_AFTER_MS at the
 * latest). Until then it is hidden while the layer files arrive and the map
 * fits the fleet: without a GPU, each frame of a visible WebGL canvas is read back to the main
 * thread (100–500 ms, waiting for everything the GPU still has to draw); a hidden one never is,
 * so opening the map costs one such frame instead of one per layer file and camera move.
 */
function revealWhenComplete(map: MapLibreMap, reveal: () => void): () => void {
  let stopWaiting = () => {};
  const show = () => {
    stop();
    reveal(); // the last frame drawn is shown as it is: no repaint
  };
  const late = setTimeout(show, SHOW_AFTER_MS);
  const styled = () => {
    stopWaiting = whenComplete(map, show);
  };
  map.once("style.load", styled);
  const stop = () => {
    clearTimeout(late);
    map.off("style.load", styled);
    stopWaiting();
  };
  return stop;
}

/**
 * The MapLibre map: loads the library (its own chunk), the style named by the map settings
 * (the offline basemap by default) and fits the basemap's bounds; the map's centre stays
 * within the settings' max bounds and it zooms out no further than shows them whole. The
 * layers are its children, drawn once the style has loaded.
 */
export function MapView({ config, children }: { config: MapConfig; children: ReactNode }) {
  const container = useRef<HTMLDivElement>(null);
  const [handle, setHandle] = useState<MapHandle | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [shown, setShown] = useState(false);

  useEffect(() => {
    let map: MapLibreMap | null = null;
    let cancelled = false;
    let stopReveal = () => {};
    import("../maplibre")
      .then(({ maplibregl }) => {
        const element = container.current;
        if (cancelled || !element) return;
        const box = config.bounds?.length === 4 ? (config.bounds as Box) : null;
        const maxBox = maxBoxOf(config);
        const floor = config.min_zoom ?? 0;
        const limits = { minZoom: floor, maxZoom: MAX_ZOOM };
        const view = {
          get width() {
            return element.clientWidth;
          },
          get height() {
            return element.clientHeight;
          },
        };
        const held = maxBox
          ? {
              maxBounds: maxBox,
              minZoom: floor,
              transformConstrain: (at: { lng: number; lat: number }, zoom: number) => {
                const camera = constrainCamera(at.lng, at.lat, zoom, maxBox, limits, view);
                return { center: new maplibregl.LngLat(camera.lng, camera.lat), zoom: camera.zoom };
              },
            }
          : {};
        map = new maplibregl.Map({
          container: element,
          style: absolute(config.style_url),
          ...(box ? { bounds: box, fitBoundsOptions: { padding: 24 } } : {}),
          ...held,
          maxZoom: MAX_ZOOM,
          transformRequest: (url) => ({ url: absolute(url) }),
          attributionControl: { compact: true },
          // Symbols never fade in: a fade is a run of repaints, each costly in software WebGL.
          fadeDuration: 0,
          dragRotate: false,
          pitchWithRotate: false,
          locale: { "Map.Title": "Map of the fleet. Arrow keys pan, plus and minus zoom." },
        });
        map.touchZoomRotate.disableRotation();
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
        map.addControl(new maplibregl.ScaleControl({}), "bottom-right");
        const loaded = map;
        if (maxBox) {
          const hold = () => holdMinZoom(loaded, maxBox, floor, limits);
          hold();
          loaded.on("resize", hold);
        }
        map.once("load", () => {
          window.__fleetyardMap = loaded;
          setHandle({ map: loaded, maplibregl });
        });
        stopReveal = revealWhenComplete(loaded, () => {
          if (cancelled) return;
          setShown(true);
          performance.mark(MAP_SHOWN); // when the map appeared (Lighthouse's run must cover it)
        });
        map.on("error", (event) => {
          // A failed tile or layer file is logged; only a style that never loads is fatal.
          if (!loaded.isStyleLoaded() && !loaded.loaded()) setError(event.error);
          else console.warn("map:", event.error?.message);
        });
      })
      .catch(setError);
    return () => {
      cancelled = true;
      stopReveal();
      setHandle(null);
      setShown(false);
      if (window.__fleetyardMap === map) delete window.__fleetyardMap;
      map?.remove();
    };
  }, [config]);

  return (
    <div className="map-view">
      <div ref={container} className="map-canvas" data-drawing={shown ? undefined : "true"} />
      {error ? (
        <div className="map-overlay">
          <ErrorNotice error={error} title="The map could not load." />
        </div>
      ) : !handle || !shown ? (
        <div className="map-overlay">
          <Loading label="Loading the map…" />
        </div>
      ) : null}
      {handle ? <MapContext.Provider value={handle}>{children}</MapContext.Provider> : null}
    </div>
  );
}
