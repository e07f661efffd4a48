import { Facets, type FacetGroup } from "@/components/Facets";
import { errorMessage } from "@/lib/api";
import { humanize } from "@/lib/format";
import { useOnline } from "@/lib/offline";
import type { SearchFilter } from "@/lib/search";
import { useFacetCounts } from "@/lib/useFacetCounts";

import type { VehicleFilters } from "../api";
import { VEHICLE_FACETS } from "../listSource";

const LABELS: Record<(typeof VEHICLE_FACETS)[number], string> = {
  status: "Status",
  type: "Type",
  make: "Make",
  model: "Model",
  group_id: "Group",
};
const WORDED = new Set<string>(["status", "type"]);

/**
 * Counts per status, type, make, model and group of the vehicles matching the text and the
 * other choices, from the search API; pressing a value filters the list. Offline there are no
 * counts, and the choices filter the saved rows.
 */
export function VehicleFacets(props: {
  filters: VehicleFilters;
  onToggle: (filter: SearchFilter, value: string) => void;
  onClear: () => void;
}) {
  const { filters } = props;
  const online = useOnline();
  const facets = useFacetCounts({
    root: "vehicles",
    type: "vehicle",
    q: filters.q,
    selection: filters.facets,
    filters: VEHICLE_FACETS,
    enabled: online,
  });
  const groups: FacetGroup[] = VEHICLE_FACETS.map((filter) => ({
    filter,
    label: LABELS[filter],
    values: online ? (facets.counts[filter] ?? []) : [],
    selected: filters.facets[filter] ?? [],
    valueLabel: WORDED.has(filter) ? humanize : undefined,
  }));
  const note = !online
    ? "Offline: counts need a connection; the list shows the vehicles saved on this device."
    : facets.isError
      ? `Counts unavailable: ${errorMessage(facets.error)}`
      : null;
  return (
    <Facets
      label="Filter vehicles"
      groups={groups}
      onToggle={(filter, value) => props.onToggle(filter as SearchFilter, value)}
      onClear={props.onClear}
      note={note}
      loading={online && facets.isPending}
    />
  );
}
