// MapLibre GL JS and its stylesheet: imported only with import("./maplibre"), so they load
// as their own chunk when a map is first shown, never with the app's first screen.
import "maplibre-gl/dist/maplibre-gl.css";

import * as maplibregl from "maplibre-gl";

export { maplibregl };
