import { useQueries, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";

import { scheduleVehiclesQueryOptions, schedulesQueryOptions, type ScheduleDue } from "./api";
import { byUrgency } from "./calendar";

/** Every vehicle under every enabled schedule, with what is due when (most urgent first). */
export function useDueItems() {
  const schedules = useQuery(schedulesQueryOptions());
  const enabled = (schedules.data?.items ?? []).filter((s) => s.enabled);
  const perSchedule = useQueries({ queries: enabled.map((s) => scheduleVehiclesQueryOptions(s.id)) });
  const stamp = perSchedule.map((q) => q.dataUpdatedAt).join(",");
  const items = useMemo(() => {
    const all: ScheduleDue[] = [];
    for (const q of perSchedule) if (q.data) all.push(...q.data);
    return all.sort(byUrgency);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `stamp` says when any list changed
  }, [stamp]);
  return {
    schedules,
    items,
    isPending: schedules.isPending || perSchedule.some((q) => q.isPending),
    error: schedules.error ?? perSchedule.find((q) => q.error)?.error ?? null,
  };
}
