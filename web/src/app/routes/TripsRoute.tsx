import { lazy, Suspense } from "react";

import { Loading } from "@/components/Status";
import type { TripMapProps } from "@/features/trips/components/TripPlayback";
import { TripsPage } from "@/features/trips/components/TripsPage";

// The map's code (and MapLibre) only once a trip is picked.
const LazyTripMap = lazy(() => import("./TripMap"));

function TripMap(props: TripMapProps) {
  return (
    <Suspense fallback={<Loading label="Loading the map…" />}>
      <LazyTripMap {...props} />
    </Suspense>
  );
}

/** A vehicle's trips, with the live map's view composed in to draw the picked one. */
export function TripsRoute() {
  return <TripsPage TripMap={TripMap} />;
}
