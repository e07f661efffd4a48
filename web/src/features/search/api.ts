import { infiniteQueryOptions, keepPreviousData, queryOptions } from "@tanstack/react-query";

import {
  MAX_QUERY_LENGTH,
  search,
  suggest,
  type SearchFilters,
  type SearchHit,
  type Suggestion,
} from "@/lib/search";

/** What the box asks for while typing: it waits this long after the last key. */
export const DEBOUNCE_MS = 150;
export const SUGGESTIONS = 6;
export const TOP_RESULTS = 8;
export const PAGE = 20;

/** The record types, in the order their groups show, with where each record opens. */
export const TYPES: Readonly<Record<string, { label: string; one: string; href: (id: string) => string }>> = {
  vehicle: { label: "Vehicles", one: "Vehicle", href: (id) => `/vehicles/${id}` },
  driver: { label: "Drivers", one: "Driver", href: (id) => `/drivers/${id}` },
  device: { label: "Devices", one: "Device", href: (id) => `/devices/${id}` },
  reservation: { label: "Reservations", one: "Reservation", href: () => "/reservations" },
  alert: { label: "Alerts", one: "Alert", href: () => "/alerts" },
  group: { label: "Groups", one: "Group", href: () => "/groups" },
  integration: { label: "Integrations", one: "Integration", href: () => "/settings/integrations" },
  route_plan: { label: "Route plans", one: "Route plan", href: (id) => `/route-plans/${id}` },
};
const ORDER = Object.keys(TYPES);

const worded = (type: string) => type.charAt(0).toUpperCase() + type.slice(1).replace(/_/g, " ");

/** A type's group heading ("Vehicles"); a type added later by its own name. */
export function typeLabel(type: string): string {
  return TYPES[type]?.label ?? worded(type);
}

/** One record's type ("Vehicle"). */
export function typeName(type: string): string {
  return TYPES[type]?.one ?? worded(type);
}

export function recordHref(type: string, id: string): string {
  return TYPES[type]?.href(id) ?? `/search?q=${encodeURIComponent(id)}`;
}

export function resultsHref(q: string): string {
  return `/search?q=${encodeURIComponent(q.trim())}`;
}

/** What a typed text is sent as: trimmed, cut at the server's limit. */
export function queryText(text: string): string {
  return text.trim().slice(0, MAX_QUERY_LENGTH);
}

const searchKey = ["search"] as const;

/** As-you-type completions and records (titles and identifiers, typos forgiven). */
export function suggestQueryOptions(q: string) {
  return queryOptions({
    queryKey: [...searchKey, "suggest", q],
    queryFn: ({ signal }) => suggest(q, SUGGESTIONS, signal),
    enabled: q.length > 0,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    meta: { persist: false },
  });
}

/** The best records for the text, with the fields that matched. */
export function topResultsQueryOptions(q: string) {
  return queryOptions({
    queryKey: [...searchKey, "top", q],
    queryFn: ({ signal }) => search({ q, limit: TOP_RESULTS }, signal),
    enabled: q.length > 0,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    meta: { persist: false },
  });
}

export interface ResultsFilters {
  q: string;
  types: string[];
  filters: SearchFilters;
}

export const RESULT_FACETS = ["types", "status", "type", "make", "model", "group", "severity"];

/** The results page: pages of hits with the cursor, facet counts over the whole result. */
export function resultsQueryOptions({ q, types, filters }: ResultsFilters) {
  return infiniteQueryOptions({
    queryKey: [...searchKey, "results", { q, types, filters }],
    queryFn: ({ pageParam, signal }) =>
      search({ q, types, filters, facets: RESULT_FACETS, limit: PAGE, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    enabled: q.length > 0 || types.length > 0 || Object.keys(filters).length > 0,
    placeholderData: keepPreviousData,
    meta: { persist: false },
  });
}

/** One choice of the box: a record, or the text to search for on the results page. */
export type BoxOption =
  | { kind: "record"; key: string; type: string; id: string; title: string; subtitle: string; hit?: SearchHit }
  | { kind: "query"; key: string; text: string };

export interface BoxGroup {
  label: string;
  options: BoxOption[];
}

/**
 * The box's choices, grouped by type in a fixed order: suggestions first in each group (they
 * match what is being typed), then the top results not among them. Completions of the last
 * word lead, as searches for the whole text.
 */
export function boxGroups(
  typed: string,
  suggestions: { items: Suggestion[]; completions?: string[] } | undefined,
  results: { items: SearchHit[] } | undefined,
): BoxGroup[] {
  const hits = new Map((results?.items ?? []).map((hit) => [`${hit.type}:${hit.id}`, hit]));
  const records = new Map<string, BoxOption>();
  for (const item of [...(suggestions?.items ?? []), ...(results?.items ?? [])]) {
    const key = `${item.type}:${item.id}`;
    if (records.has(key)) continue;
    records.set(key, { kind: "record", key, type: item.type, id: item.id, title: item.title, subtitle: item.subtitle, hit: hits.get(key) });
  }
  const groups: BoxGroup[] = [];
  const completions = (suggestions?.completions ?? []).filter((c) => c.toLowerCase() !== typed.toLowerCase()).slice(0, 3);
  if (completions.length) {
    groups.push({ label: "Search for", options: completions.map((text) => ({ kind: "query", key: `q:${text}`, text })) });
  }
  const types = [...new Set([...records.values()].map((o) => (o.kind === "record" ? o.type : "")))];
  types.sort((a, b) => rank(a) - rank(b));
  for (const type of types) {
    const options = [...records.values()].filter((o) => o.kind === "record" && o.type === type);
    groups.push({ label: typeLabel(type), options });
  }
  return groups;
}

function rank(type: string): number {
  const at = ORDER.indexOf(type);
  return at === -1 ? ORDER.length : at;
}
