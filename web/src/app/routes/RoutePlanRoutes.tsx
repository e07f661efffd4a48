import { lazy, Suspense } from "react";

import { Loading } from "@/components/Status";
import type { PlanMapProps } from "@/features/routeplans";
import { PlanPage } from "@/features/routeplans/components/PlanPage";

// The map's code (and MapLibre) loads on its own, after the tables are on screen.
const LazyRoutePlanMap = lazy(() => import("./RoutePlanMap"));

function PlanMap(props: PlanMapProps) {
  return (
    <Suspense fallback={<Loading label="Loading the map…" />}>
      <LazyRoutePlanMap {...props} />
    </Suspense>
  );
}

/** A route plan's page, with the map composed in. */
export function RoutePlanRoute() {
  return <PlanPage PlanMap={PlanMap} />;
}
