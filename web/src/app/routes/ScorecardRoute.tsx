import { lazy, Suspense } from "react";

import { Loading } from "@/components/Status";
import { ScorecardPage, type EventMapProps } from "@/features/scorecard/components/ScorecardPage";

// The map's code (and MapLibre) only once a deduction is opened.
const LazyEventMap = lazy(() => import("./ScorecardEventMap"));

function EventMap(props: EventMapProps) {
  return (
    <Suspense fallback={<Loading label="Loading the map…" />}>
      <LazyEventMap {...props} />
    </Suspense>
  );
}

/** A driver's scorecard, with the live map's view composed in to show where each event was. */
export function ScorecardRoute() {
  return <ScorecardPage EventMap={EventMap} />;
}
