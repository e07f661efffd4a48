import { queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

import type { RouteEdit, RoutePlan, RoutePlanCreate, RoutePlanSummary } from "./types";

export type Vehicle = Schemas["Vehicle"];
export type Group = Schemas["Group"];
export type Driver = Schemas["Driver"];
export type VehicleWithState = Schemas["VehicleWithState"];

/** While a plan is queued or solving its page asks again this often (ms). */
export const POLL_MS = 1000;

export const planKeys = {
  all: ["route-plans"] as const,
  list: () => [...planKeys.all, "list"] as const,
  detail: (id: string) => [...planKeys.all, "detail", id] as const,
};

export function plansQueryOptions() {
  return queryOptions({
    queryKey: planKeys.list(),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/route-plans", { params: { query: { limit: 100 } }, signal })),
    refetchInterval: (query) =>
      query.state.data?.items.some((p) => p.status === "queued" || p.status === "solving") ? 2 * POLL_MS : false,
  });
}

export const isRunning = (plan: Pick<RoutePlanSummary, "status"> | undefined) =>
  plan?.status === "queued" || plan?.status === "solving";

/** One plan; asked again every second while it is queued or solving. */
export function planQueryOptions(id: string) {
  return queryOptions({
    queryKey: planKeys.detail(id),
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET("/api/v1/route-plans/{plan_id}", { params: { path: { plan_id: id } }, signal }))) as unknown as RoutePlan,
    refetchInterval: (query) => (isRunning(query.state.data) ? POLL_MS : false),
    meta: { persist: false },
  });
}

const plan = (id: string) => ({ params: { path: { plan_id: id } } });
export const createPlan = (body: RoutePlanCreate) => unwrap(api.POST("/api/v1/route-plans", { body }));
export const cancelPlan = (id: string) => unwrap(api.POST("/api/v1/route-plans/{plan_id}/cancel", plan(id)));
export const deletePlan = (id: string) => unwrap(api.DELETE("/api/v1/route-plans/{plan_id}", plan(id)));
/** Hand a solved plan to dispatch (each route to the vehicle and driver the plan names). */
export const dispatchPlan = (id: string) =>
  unwrap(api.POST("/api/v1/route-plans/{plan_id}/dispatch", { ...plan(id), body: {} }));
export const checkRoutes = (id: string, routes: RouteEdit[]) =>
  unwrap(api.POST("/api/v1/route-plans/{plan_id}/check", { ...plan(id), body: { routes } }));
export const saveRoutes = async (id: string, routes: RouteEdit[], version: number, acceptViolations: boolean) =>
  (await unwrap(
    api.PUT("/api/v1/route-plans/{plan_id}/routes", {
      ...plan(id),
      body: { routes, version, accept_violations: acceptViolations },
    }),
  )) as unknown as RoutePlan;

// the fleet, for picking vehicles -----------------------------------------------------------
export function fleetVehiclesQueryOptions() {
  return queryOptions({
    queryKey: ["vehicles", "route-plans", "active"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/vehicles", { params: { query: { status: "active", limit: 500 } }, signal })),
  });
}

export function depotsQueryOptions() {
  return queryOptions({
    queryKey: ["groups", "depots"],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/groups", { params: { query: { kind: "depot", limit: 500 } }, signal })),
  });
}

export function driversQueryOptions() {
  return queryOptions({
    queryKey: ["drivers", "route-plans"],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/drivers", { params: { query: { limit: 500 } }, signal })),
  });
}

/** Each vehicle's last position (to start a route where the vehicle is). */
export function lastPositionsQueryOptions() {
  return queryOptions({
    queryKey: ["vehicles", "route-plans", "positions"],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/fleet/state", { params: { query: { limit: 1000 } }, signal })),
  });
}
