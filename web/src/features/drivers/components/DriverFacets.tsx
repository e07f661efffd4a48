import { Facets, type FacetGroup } from "@/components/Facets";
import { errorMessage } from "@/lib/api";
import { humanize } from "@/lib/format";
import { useOnline } from "@/lib/offline";
import type { SearchFilter } from "@/lib/search";
import { useFacetCounts } from "@/lib/useFacetCounts";

import { DRIVER_FACETS, type DriverFilters } from "../api";

const LABELS: Record<(typeof DRIVER_FACETS)[number], string> = {
  status: "Status",
  group_id: "Group",
  depot: "Depot",
};

/** Counts per status, group and depot of the drivers matching, from the search API. */
export function DriverFacets(props: {
  filters: DriverFilters;
  onToggle: (filter: SearchFilter, value: string) => void;
  onClear: () => void;
}) {
  const { filters } = props;
  const online = useOnline();
  const facets = useFacetCounts({
    root: "drivers",
    type: "driver",
    q: filters.q,
    selection: filters.facets,
    filters: DRIVER_FACETS,
    enabled: online,
  });
  const groups: FacetGroup[] = DRIVER_FACETS.map((filter) => ({
    filter,
    label: LABELS[filter],
    values: online ? (facets.counts[filter] ?? []) : [],
    selected: filters.facets[filter] ?? [],
    valueLabel: filter === "status" ? humanize : undefined,
  }));
  const note = !online
    ? "Offline: counts need a connection; the list shows the drivers saved on this device."
    : facets.isError
      ? `Counts unavailable: ${errorMessage(facets.error)}`
      : null;
  return (
    <Facets
      label="Filter drivers"
      groups={groups}
      onToggle={(filter, value) => props.onToggle(filter as SearchFilter, value)}
      onClear={props.onClear}
      note={note}
      loading={online && facets.isPending}
    />
  );
}
