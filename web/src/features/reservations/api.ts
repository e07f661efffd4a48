import { queryOptions, type QueryClient } from "@tanstack/react-query";

import { api, isApiError, unwrap, type Schemas } from "@/lib/api";
import type { QueuedMutationDefinition } from "@/lib/offline";

export type Reservation = Schemas["Reservation"];
export type ReservationCreate = Schemas["ReservationCreate"];
export type ReservationUpdate = Schemas["ReservationUpdate"];
export type ReservationPage = Schemas["Page_Reservation_"];
export type PickerVehicle = Schemas["Vehicle"];
export type Driver = Schemas["Driver"];
export type Member = Schemas["Member"];

/** A reservation made offline, before the server gave it an id. */
export const LOCAL_PREFIX = "local-";
export const isLocal = (id: string) => id.startsWith(LOCAL_PREFIX);

const reservationsKey = ["reservations"] as const;
const listKey = [...reservationsKey, "list"] as const;

/** Which reservations a list holds: one vehicle's or all, overlapping [from, to). */
export interface ReservationFilters {
  vehicleId?: string;
  /** ISO instants. */
  from?: string;
  to?: string;
}

export const MAX_LIST = 500;

/** Reservations overlapping a window (a vehicle's week, or everything from today on). */
export function reservationListQueryOptions(filters: ReservationFilters) {
  return queryOptions({
    queryKey: [...listKey, filters],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/reservations", {
          params: {
            query: {
              vehicle_id: filters.vehicleId,
              from: filters.from,
              to: filters.to,
              sort: "starts_at",
              limit: MAX_LIST,
            },
          },
          signal,
        }),
      ),
  });
}

/** Vehicles to book, by plate (the first 500 are plenty for a picker). */
export function reservationVehiclesQueryOptions() {
  return queryOptions({
    queryKey: [...reservationsKey, "vehicle-picker"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/vehicles", { params: { query: { sort: "plate", limit: 500 } }, signal })),
    staleTime: 5 * 60_000,
  });
}

/** Drivers to book for, by name. */
export function reservationDriversQueryOptions() {
  return queryOptions({
    queryKey: [...reservationsKey, "driver-picker"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/drivers", { params: { query: { sort: "name", limit: 500 } }, signal })),
    staleTime: 5 * 60_000,
  });
}

/** The tenant's members, to book for someone else (an empty list for roles that can't see them). */
export function reservationMembersQueryOptions() {
  return queryOptions({
    queryKey: [...reservationsKey, "member-picker"],
    queryFn: async ({ signal }): Promise<Member[]> => {
      try {
        return await unwrap(api.GET("/api/v1/members", { signal }));
      } catch (error) {
        if (isApiError(error) && error.status === 403) return [];
        throw error;
      }
    },
    staleTime: 5 * 60_000,
  });
}

// Changes go through the offline queue (src/lib/offline): applied to every cached list at
// once, sent when the network allows; an overlap found by the server comes back as a conflict.

function matches(filters: ReservationFilters, r: Pick<Reservation, "vehicle_id" | "starts_at" | "ends_at">) {
  return (
    (!filters.vehicleId || r.vehicle_id === filters.vehicleId) &&
    (!filters.from || Date.parse(r.ends_at) > Date.parse(filters.from)) &&
    (!filters.to || Date.parse(r.starts_at) < Date.parse(filters.to))
  );
}

/** Apply `update` to every cached list (its filters at hand), keeping them in time order. */
function updateLists(client: QueryClient, update: (items: Reservation[], filters: ReservationFilters) => Reservation[]) {
  for (const [queryKey, page] of client.getQueriesData<ReservationPage>({ queryKey: listKey })) {
    if (!page) continue;
    const filters = (queryKey[2] ?? {}) as ReservationFilters;
    const items = update(page.items, filters).sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
    client.setQueryData<ReservationPage>(queryKey, { ...page, items });
  }
}

/** Put the server's copy in place of `id` (the same id, or a draft's local one). */
function replaceInLists(client: QueryClient, id: string, saved: Reservation) {
  if (!saved?.id) return;
  updateLists(client, (items, filters) => {
    const rest = items.filter((r) => r.id !== id && r.id !== saved.id);
    return matches(filters, saved) ? [...rest, saved] : rest;
  });
}

function patchReservation(client: QueryClient, id: string, fields: Partial<Reservation>) {
  updateLists(client, (items) => items.map((r) => (r.id === id ? { ...r, ...fields } : r)));
}

export interface NewReservation {
  /** The id it has on screen until the server gives it one. */
  localId: string;
  body: ReservationCreate;
  vehicleLabel: string;
}

export const createReservationMutation: QueuedMutationDefinition<NewReservation> = {
  kind: "reservations.create",
  request: ({ body }) => ({ method: "POST", path: "/api/v1/reservations", body }),
  label: ({ vehicleLabel }) => `Reserve ${vehicleLabel}`,
  entity: ({ localId }) => ({ type: "reservation", id: localId }),
  invalidates: () => [[...listKey]],
  onQueue: (client, { localId, body }) => {
    const now = new Date().toISOString();
    const draft: Reservation = {
      id: localId,
      version: 0,
      vehicle_id: body.vehicle_id,
      driver_id: body.driver_id ?? null,
      user_id: body.user_id ?? null,
      starts_at: body.starts_at,
      ends_at: body.ends_at,
      purpose: body.purpose ?? "",
      status: body.status ?? "confirmed",
      created_at: now,
      updated_at: now,
    };
    updateLists(client, (items, filters) => (matches(filters, draft) ? [...items, draft] : items));
  },
  onDiscard: (client, { localId }) => updateLists(client, (items) => items.filter((r) => r.id !== localId)),
  // The saved booking takes the draft's place at once (a refetch follows).
  onSynced: (client, { localId }, saved) => replaceInLists(client, localId, saved as Reservation),
};

export interface ReservationEdit {
  reservationId: string;
  version: number;
  changes: Omit<ReservationUpdate, "version">;
  label: string;
}

interface ReservationUndo {
  before: Partial<Reservation>;
}

function findReservation(client: QueryClient, id: string): Reservation | undefined {
  for (const [, page] of client.getQueriesData<ReservationPage>({ queryKey: listKey })) {
    const found = page?.items.find((r) => r.id === id);
    if (found) return found;
  }
  return undefined;
}

export const updateReservationMutation: QueuedMutationDefinition<ReservationEdit, ReservationUndo> = {
  kind: "reservations.update",
  request: ({ reservationId, version, changes }) => ({
    method: "PATCH",
    path: `/api/v1/reservations/${reservationId}`,
    body: { ...changes, version },
  }),
  label: ({ label }) => label,
  entity: ({ reservationId }) => ({
    type: "reservation",
    id: reservationId,
    read: `/api/v1/reservations/${reservationId}`,
  }),
  invalidates: () => [[...listKey]],
  onQueue: (client, { reservationId, changes }) => {
    const current = findReservation(client, reservationId);
    const before = Object.fromEntries(
      Object.keys(changes).map((field) => [field, current?.[field as keyof Reservation] ?? null]),
    ) as Partial<Reservation>;
    patchReservation(client, reservationId, changes as Partial<Reservation>);
    return { before };
  },
  onDiscard: (client, { reservationId }, undo) => {
    if (undo) patchReservation(client, reservationId, undo.before);
  },
  onSynced: (client, { reservationId }, saved) => replaceInLists(client, reservationId, saved as Reservation),
};

export const reservationMutations = [createReservationMutation, updateReservationMutation];

/** Every cached booking of a vehicle (any list it appears in), once each. */
export function cachedReservationsOf(client: QueryClient, vehicleId: string): Reservation[] {
  const found = new Map<string, Reservation>();
  for (const [, page] of client.getQueriesData<ReservationPage>({ queryKey: listKey })) {
    for (const r of page?.items ?? []) if (r.vehicle_id === vehicleId) found.set(r.id, r);
  }
  return [...found.values()];
}
