import { useQuery } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { useSearchParams } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { useLiveSubscription } from "@/lib/live";

import { mapConfigQueryOptions } from "../api";
import "../map.css";
import { createReplayStore } from "../store";
import { FitToFleet } from "./FitToFleet";
import { Legend } from "./Legend";
import { LiveBadge } from "./LiveBadge";
import { MapView } from "./MapView";
import { SelectedLayer } from "./SelectedLayer";
import { TrackLayer } from "./TrackLayer";
import { VehicleList } from "./VehicleList";
import { VehiclePanel } from "./VehiclePanel";
import { VehiclesOverlay } from "./VehiclesOverlay";

/**
 * The live map: every vehicle of the tenant moving in real time, the list beside it, and the
 * picked vehicle's panel. What is picked and followed lives in the address (?vehicle=&follow=1),
 * so it survives a reload and can be shared.
 */
export function MapPage() {
  useLiveSubscription({ fleet: true });
  const config = useQuery(mapConfigQueryOptions());
  const [params, setParams] = useSearchParams();
  const selected = params.get("vehicle");
  const follow = selected !== null && params.get("follow") === "1";
  const [replay] = useState(createReplayStore);

  const select = useCallback(
    (vehicleId: string | null, following = false) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (vehicleId) next.set("vehicle", vehicleId);
          else next.delete("vehicle");
          if (vehicleId && following) next.set("follow", "1");
          else next.delete("follow");
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const pick = useCallback((vehicleId: string) => select(vehicleId), [select]);
  const stopFollowing = useCallback(() => select(selected), [select, selected]);

  let map;
  if (config.isPending) map = <Loading label="Loading the map…" />;
  else if (config.isError) map = <ErrorNotice error={config.error} title="The map settings could not load." />;
  else
    map = (
      <MapView config={config.data}>
        <FitToFleet config={config.data} skip={selected !== null} />
        <TrackLayer replay={replay} />
        <VehiclesOverlay selected={selected} onSelect={pick} />
        {selected ? (
          <SelectedLayer vehicleId={selected} follow={follow} onStopFollowing={stopFollowing} />
        ) : null}
      </MapView>
    );

  return (
    <div className="map-page page-fill">
      <div className="map-toolbar">
        <h1>Live map</h1>
        <LiveBadge />
        <Legend />
      </div>
      <div className={selected ? "map-body map-body-panel" : "map-body"}>
        <VehicleList selected={selected} onSelect={pick} />
        <section className="map-stage" aria-label="Map">
          {map}
        </section>
        {selected ? (
          <VehiclePanel
            key={selected}
            vehicleId={selected}
            follow={follow}
            onFollowChange={(following) => select(selected, following)}
            onClose={() => select(null)}
            replay={replay}
          />
        ) : null}
      </div>
    </div>
  );
}
