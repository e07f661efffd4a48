// Where the vehicles list reads its rows: the overview alone (sorted and paged by the server),
// or a page of search hits at a time with their live context (text typed, a make or model
// chosen, or several values of a facet), and what it shows offline. Free of React.
import { api, unwrap } from "@/lib/api";
import { MAX_PAGE, listHits, rowsForHits, search, type SearchListPage } from "@/lib/search";
import type { FacetSelection } from "@/lib/useFacetCounts";
import { ACTIVITIES } from "@/lib/vehicleStatus";

import type { VehicleFilters, VehicleOverview, VehicleStatus, VehicleType } from "./api";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The facets beside the list, in the order shown, and their address parameters. */
export const VEHICLE_FACETS = ["status", "type", "make", "model", "group_id"] as const;
export const VEHICLE_FACET_PARAMS = {
  status: "status",
  type: "type",
  make: "make",
  model: "model",
  group_id: "group",
} as const;

/** The record filters the overview endpoint takes itself: one status, type and group. */
export interface KnownValues {
  statuses: readonly VehicleStatus[];
  types: readonly VehicleType[];
}

export function overviewRecordFilters(
  facets: FacetSelection,
  known: KnownValues,
): { status?: VehicleStatus; type?: VehicleType; group_id?: string } | null {
  if (facets.make?.length || facets.model?.length) return null;
  const [status, ...moreStatus] = facets.status ?? [];
  const [type, ...moreTypes] = facets.type ?? [];
  const [group, ...moreGroups] = facets.group_id ?? [];
  if (moreStatus.length || moreTypes.length || moreGroups.length) return null;
  const knownStatus = known.statuses.find((s) => s === status);
  const knownType = known.types.find((t) => t === type);
  if ((status && !knownStatus) || (type && !knownType) || (group && !UUID.test(group))) return null;
  return { status: knownStatus, type: knownType, group_id: group };
}

/** Search when there is text, or a choice the overview can't filter by. */
export function searchesFor(filters: VehicleFilters, known: KnownValues): boolean {
  return Boolean(filters.q?.trim()) || overviewRecordFilters(filters.facets, known) === null;
}

/** The live filters (state, driver, tracker), which only the overview knows. */
export type LiveQuery = Record<string, string | boolean | string[] | undefined>;

/**
 * A page of the list from search: the hits (best match first, or by title without text),
 * then their live context from the overview by id, the live filters applied there.
 */
export async function vehicleSearchPage(
  filters: VehicleFilters,
  live: LiveQuery,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<SearchListPage<VehicleOverview>> {
  const found = await search(
    { q: filters.q, types: ["vehicle"], filters: filters.facets, limit: MAX_PAGE, cursor },
    signal,
  );
  const { hits, total } = listHits(found);
  const items = await rowsForHits(hits, async (ids) => {
    const query = { ...live, id: ids, limit: ids.length, sort: "plate" };
    return (await unwrap(api.GET("/api/v1/vehicles/overview", { params: { query }, signal }))).items;
  });
  return { items, next_cursor: hits.length ? (found.next_cursor ?? null) : null, total };
}

const text = (value: string | null | undefined) =>
  (value ?? "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

/** Offline, the saved rows are filtered here: every word in a plate, name, VIN, make or model. */
export function matchesOffline(vehicle: VehicleOverview, filters: VehicleFilters): boolean {
  const words = text(filters.q).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const haystack = text([vehicle.plate, vehicle.name, vehicle.vin, vehicle.make, vehicle.model].join(" "));
  const compact = haystack.replace(/[^\p{L}\p{N}]+/gu, "");
  if (!words.every((word) => haystack.includes(word) || compact.includes(word))) return false;
  const { status, type, make, model, group_id } = filters.facets;
  const allows = (values: string[] | undefined, value: string | null | undefined) =>
    !values?.length || values.includes((value ?? "").trim());
  return (
    allows(status, vehicle.status.state) &&
    allows(type, vehicle.type) &&
    allows(make, vehicle.make) &&
    allows(model, vehicle.model) &&
    allows(group_id, vehicle.group_id)
  );
}

type Key = (v: VehicleOverview) => string | number | null;
const SORT_KEYS: Record<string, Key> = {
  plate: (v) => v.plate,
  name: (v) => v.name,
  make: (v) => [v.make, v.model].filter(Boolean).join(" ") || null,
  activity: (v) => ACTIVITIES.indexOf(v.activity),
  last_fix: (v) => (v.last_fix ? Date.parse(v.last_fix.fix_time) : null),
  driver: (v) => v.driver?.name ?? null,
  tracker: (v) => (v.tracker ? v.tracker.name || v.tracker.unique_id : null),
};
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Search hits sorted by a column as the server sorts the overview (empty ones last). */
export function sortRows(rows: VehicleOverview[], sort: string | undefined): VehicleOverview[] {
  const key = SORT_KEYS[(sort ?? "").replace(/^-/, "")];
  if (!key) return rows;
  const direction = sort?.startsWith("-") ? -1 : 1;
  return [...rows].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x === null || x === "") return y === null || y === "" ? 0 : 1;
    if (y === null || y === "") return -1;
    const order = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
    return order * direction;
  });
}
