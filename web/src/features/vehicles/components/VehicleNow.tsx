import { useQuery } from "@tanstack/react-query";
import type { ComponentType } from "react";
import { Link } from "react-router";

import { FactList, type Fact } from "@/components/FactList";
import { ErrorNotice, Loading } from "@/components/Status";
import { formatDateTime } from "@/lib/format";
import { activityStatus, STATUS_STYLE } from "@/lib/vehicleStatus";

import { vehicleOverviewQueryOptions, vehicleStateQueryOptions, type VehicleOverview } from "../api";
import { ActivityLabel } from "./ActivityLabel";
import { currentActivity, placeText, since, SINCE_TICK_MS, trackerDetails, trackerLabel } from "./liveContext";
import { useNow } from "./useNow";

/** What the page's small map draws: one vehicle, in its state's colour. */
export interface MiniMapProps {
  latitude: number;
  longitude: number;
  color: string;
  label: string;
}

/** The app composes the map in (features don't import each other); none in tests. */
export type MiniMap = ComponentType<MiniMapProps>;

/** The newest position known: the live feed's (kept current) or the overview's. */
interface Fix {
  latitude: number;
  longitude: number;
  fix_time: string;
}

function latestPosition(overview: VehicleOverview, live: Fix | null): Fix | null {
  const fix = overview.last_fix;
  if (live && (!fix || Date.parse(live.fix_time) >= Date.parse(fix.fix_time))) return live;
  return fix;
}

function Facts({ overview, now }: { overview: VehicleOverview; now: number }) {
  const fix = overview.last_fix;
  const facts: Fact[] = [
    [
      "State",
      <>
        <ActivityLabel activity={currentActivity(overview, now)} />
        {fix ? (
          <span className="muted">
            {" · "}
            <time dateTime={fix.fix_time} title={formatDateTime(fix.fix_time)}>
              {since(fix.fix_time, now)}
            </time>
          </span>
        ) : null}
      </>,
    ],
    ["Place", placeText(overview.place)],
    [
      "Driver",
      overview.driver ? <Link to={`/drivers/${overview.driver.id}`}>{overview.driver.name}</Link> : "No driver",
    ],
    [
      "Tracker",
      overview.tracker ? (
        <Link to={`/devices/${overview.tracker.id}`} title={trackerDetails(overview.tracker)}>
          {trackerLabel(overview.tracker)}
        </Link>
      ) : (
        "No tracker"
      ),
    ],
  ];
  return <FactList facts={facts} />;
}

/**
 * Where the vehicle is and who drives it: a small map (moving with the live feed), its state,
 * place, driver and tracker.
 */
export function VehicleNow({ vehicleId, MiniMap }: { vehicleId: string; MiniMap?: MiniMap }) {
  const now = useNow(SINCE_TICK_MS);
  const overview = useQuery(vehicleOverviewQueryOptions(vehicleId));
  const live = useQuery(vehicleStateQueryOptions(vehicleId)).data?.state ?? null;
  let body;
  if (overview.isPending) body = <Loading />;
  else if (overview.isError) body = <ErrorNotice error={overview.error} />;
  else {
    const at = latestPosition(overview.data, live);
    const style = STATUS_STYLE[activityStatus(overview.data.activity)];
    const label = overview.data.plate || overview.data.name || "Vehicle";
    body = (
      <div className="vehicle-now">
        {MiniMap ? (
          <div className="vehicle-mini-map" role="region" aria-label={`Map: where ${label} is`}>
            {at ? (
              <MiniMap latitude={at.latitude} longitude={at.longitude} color={style.color} label={label} />
            ) : (
              <p className="muted">No position received yet.</p>
            )}
          </div>
        ) : null}
        <Facts overview={overview.data} now={now} />
      </div>
    );
  }
  return (
    <section className="card" aria-labelledby="now-title">
      <h2 id="now-title">Where and who</h2>
      {body}
    </section>
  );
}
