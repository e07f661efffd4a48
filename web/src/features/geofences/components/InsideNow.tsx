import { useQuery } from "@tanstack/react-query";

import { ErrorNotice } from "@/components/Status";
import { VehicleLink } from "@/components/VehicleLink";
import { formatDateTime } from "@/lib/format";

import { vehiclesInsideQueryOptions } from "../api";

/** Who is inside the geofence now, longest there first. */
export function InsideNow({ geofenceId }: { geofenceId: string }) {
  const inside = useQuery(vehiclesInsideQueryOptions(geofenceId));
  return (
    <section className="geofence-inside" aria-labelledby={`inside-${geofenceId}`}>
      <h3 id={`inside-${geofenceId}`}>Inside now</h3>
      {inside.isPending ? (
        <p>Loading…</p>
      ) : inside.isError ? (
        <ErrorNotice error={inside.error} title="Who is inside could not load." />
      ) : inside.data.items.length === 0 ? (
        <p className="hint">No vehicle is inside.</p>
      ) : (
        <ul>
          {inside.data.items.map((v) => (
            <li key={v.vehicle_id}>
              <VehicleLink vehicleId={v.vehicle_id} /> since {formatDateTime(v.entered_at)}
              {v.speeding_since ? <strong> · speeding since {formatDateTime(v.speeding_since)}</strong> : null}
              {v.dwell_reported_at ? " · stayed too long" : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
