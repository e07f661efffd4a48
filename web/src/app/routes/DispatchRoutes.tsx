import { lazy, Suspense } from "react";

import { Loading } from "@/components/Status";
import type { RouteMapProps } from "@/features/dispatch";
import { DispatchPage } from "@/features/dispatch/components/DispatchPage";
import { MyRoutePage } from "@/features/dispatch/components/MyRoutePage";

// The map's code (and MapLibre) loads on its own, after the stops are on screen.
const LazyDispatchMap = lazy(() => import("./DispatchMap"));

function RouteMap(props: RouteMapProps) {
  return (
    <Suspense fallback={<Loading label="Loading the map…" />}>
      <LazyDispatchMap {...props} />
    </Suspense>
  );
}

/** The driver's day route, with the map composed in. */
export function MyRouteRoute() {
  return <MyRoutePage RouteMap={RouteMap} />;
}

/** The dispatcher's live view, with the map composed in. */
export function DispatchRoute() {
  return <DispatchPage RouteMap={RouteMap} />;
}
