import { lazy, Suspense } from "react";

import { Loading } from "@/components/Status";
import { VehicleMaintenanceSections } from "@/features/maintenance";
import type { MiniMapProps } from "@/features/vehicles/components/VehicleNow";
import { VehicleDetailPage } from "@/features/vehicles/components/VehicleDetailPage";

// The map's code (and MapLibre, which MapView loads on its own) only when a position is shown.
const VehicleMiniMap = lazy(() => import("./VehicleMiniMap"));

function MiniMap(props: MiniMapProps) {
  return (
    <Suspense fallback={<Loading label="Loading the map…" />}>
      <VehicleMiniMap {...props} />
    </Suspense>
  );
}

/** The vehicle page, with the live map's view composed in as its small map, and its service
 * history and failure risk from maintenance. */
export function VehicleRoute() {
  return <VehicleDetailPage MiniMap={MiniMap} Sections={VehicleMaintenanceSections} />;
}
