import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { vehicleRefQueryOptions } from "@/lib/vehicleRefs";

/** A link to the vehicle, named by its plate once known (a dash when there is none). */
export function VehicleLink({ vehicleId }: { vehicleId: string | null | undefined }) {
  const query = useQuery({ ...vehicleRefQueryOptions(vehicleId ?? ""), enabled: Boolean(vehicleId) });
  if (!vehicleId) return <span className="muted">—</span>;
  const text = query.data
    ? query.data.plate || query.data.name || "(unnamed vehicle)"
    : query.isError
      ? "Vehicle (not found)"
      : "Vehicle…";
  return <Link to={`/vehicles/${vehicleId}`}>{text}</Link>;
}
