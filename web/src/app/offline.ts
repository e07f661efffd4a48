import type { QueryClient } from "@tanstack/react-query";

import { alertMutations } from "@/features/alerts";
import { meQueryOptions } from "@/features/auth";
import { driverMutations } from "@/features/drivers";
import { reservationMutations } from "@/features/reservations";
import { vehicleMutations } from "@/features/vehicles";

/**
 * Whose data the query cache holds: `user:tenant` from the session query, or null. The
 * saved cache and the change queue are both keyed by it (src/lib/offline).
 */
export function sessionScope(client: QueryClient): string | null {
  const me = client.getQueryData(meQueryOptions().queryKey);
  return me?.user_id && me.tenant_id ? `${me.user_id}:${me.tenant_id}` : null;
}

/** Every feature's queued mutations, so the sync panel can undo any of them. */
export const QUEUED_MUTATIONS = [...vehicleMutations, ...reservationMutations, ...driverMutations, ...alertMutations];
