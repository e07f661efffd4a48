/**
 * The search API (docs/search.md) as the screens use it: the global search box, the results
 * page, and the vehicles and drivers lists, whose facet counts and text search it drives.
 * Shared code: it knows the API, not the screens.
 */
import { api, unwrap, type Schemas } from "@/lib/api";

export type SearchResults = Schemas["SearchResults"];
export type SearchHit = Schemas["SearchHit"];
export type MatchedField = Schemas["MatchedField"];
export type FacetValue = Schemas["FacetValue"];
export type Suggestions = Schemas["Suggestions"];
export type Suggestion = Schemas["Suggestion"];

/** Filters the API takes (each repeatable: any of its values). */
export const SEARCH_FILTERS = [
  "status",
  "make",
  "model",
  "type",
  "fuel_type",
  "group_id",
  "depot",
  "protocol",
  "severity",
  "kind",
  "provider",
] as const;
export type SearchFilter = (typeof SEARCH_FILTERS)[number];
export type SearchFilters = Partial<Record<SearchFilter, readonly string[]>>;

/** The facet each filter counts by (`group_id` filters what `group` counts). */
export const FACET_OF: Readonly<Record<SearchFilter, string>> = {
  status: "status",
  make: "make",
  model: "model",
  type: "type",
  fuel_type: "fuel_type",
  group_id: "group",
  depot: "depot",
  protocol: "protocol",
  severity: "severity",
  kind: "kind",
  provider: "provider",
};

/** The server's limits: a query past them is a 422, so the boxes stop there. */
export const MAX_QUERY_LENGTH = 200;
export const MAX_PAGE = 100;

export interface SearchParams {
  q?: string;
  types?: readonly string[];
  filters?: SearchFilters;
  facets?: readonly string[];
  limit?: number;
  cursor?: string | null;
}

/** The parameters as the API reads them (empty ones left out; lists comma-separated). */
export function searchQuery(params: SearchParams) {
  const filters = Object.fromEntries(
    Object.entries(params.filters ?? {}).filter(([, values]) => values && values.length > 0),
  ) as Record<SearchFilter, string[]>;
  return {
    q: params.q?.trim() || undefined,
    types: params.types?.length ? params.types.join(",") : undefined,
    facets: params.facets?.length ? params.facets.join(",") : undefined,
    limit: params.limit,
    cursor: params.cursor ?? undefined,
    ...filters,
  };
}

export function search(params: SearchParams, signal?: AbortSignal): Promise<SearchResults> {
  return unwrap(api.GET("/api/v1/search", { params: { query: searchQuery(params) }, signal }));
}

export function suggest(q: string, limit: number, signal?: AbortSignal): Promise<Suggestions> {
  return unwrap(api.GET("/api/v1/search/suggest", { params: { query: { q, limit } }, signal }));
}

/** A value's text cut at its highlights: `[text, marked]` pieces in order. */
export function highlightSegments(value: string, highlights: MatchedField["highlights"]): [string, boolean][] {
  const spans = [...highlights]
    .map(({ start, end }) => ({ start: Math.max(0, start), end: Math.min(value.length, end) }))
    .filter(({ start, end }) => end > start)
    .sort((a, b) => a.start - b.start);
  const pieces: [string, boolean][] = [];
  let at = 0;
  for (const { start, end } of spans) {
    if (end <= at) continue; // overlapping spans: what is left of this one
    const from = Math.max(start, at);
    if (from > at) pieces.push([value.slice(at, from), false]);
    pieces.push([value.slice(from, end), true]);
    at = end;
  }
  if (at < value.length) pieces.push([value.slice(at), false]);
  return pieces;
}

/** The words the server also matched a typed word as ("trnsit" → "transit"), for a hint. */
export function correctionText(corrections: SearchResults["corrections"]): string | null {
  const pairs = Object.entries(corrections ?? {}).filter(([, words]) => words.length > 0);
  if (pairs.length === 0) return null;
  return pairs.map(([typed, words]) => `“${typed}” as ${words.map((w) => `“${w}”`).join(" or ")}`).join(", ");
}

/**
 * A list screen's rows for a page of search hits: `load` fetches the records by id (the list
 * endpoint's `id` filter, with the screen's own filters and sort), and the rows come back in
 * the hits' order, best match first. A hit whose record a live filter left out is dropped.
 */
export async function rowsForHits<T extends { id: string }>(
  hits: readonly SearchHit[],
  load: (ids: string[]) => Promise<T[]>,
): Promise<T[]> {
  if (hits.length === 0) return [];
  const records = await load(hits.map((hit) => hit.id));
  const byId = new Map(records.map((record) => [record.id, record]));
  return hits.flatMap((hit) => byId.get(hit.id) ?? []);
}

/**
 * The hits a list shows: a list narrows, so only records holding every word typed. (When none
 * does, the API answers records holding some, `mode: "any"`: right for the search box, not for
 * a filter.)
 */
export function listHits(found: SearchResults): { hits: SearchHit[]; total: number } {
  return found.mode === "any" ? { hits: [], total: 0 } : { hits: found.items, total: found.total };
}

/** One page of a list driven by search. */
export interface SearchListPage<T> {
  items: T[];
  next_cursor: string | null;
  /** Matches over every page (before the screen's live filters). */
  total: number;
}
