import { queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type ServiceSchedule = Schemas["ServiceSchedule"];
export type ScheduleDue = Schemas["ScheduleDue"];
export type DueStatus = Schemas["DueStatus"];
export type VehicleMaintenance = Schemas["VehicleMaintenance"];
export type Part = Schemas["Part"];
export type WorkOrder = Schemas["WorkOrder"];

/** Schedules: one page holds a fleet's (the API's largest page). */
const LIMIT = 200;

export function schedulesQueryOptions() {
  return queryOptions({
    queryKey: ["maintenance", "schedules"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/service-schedules", { params: { query: { limit: LIMIT } }, signal })),
  });
}

/** Each vehicle under one schedule: what is due when, from the live meters. */
export function scheduleVehiclesQueryOptions(scheduleId: string) {
  return queryOptions({
    queryKey: ["maintenance", "schedules", scheduleId, "vehicles"],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/service-schedules/{service_schedule_id}/vehicles", {
          params: { path: { service_schedule_id: scheduleId } },
          signal,
        }),
      ),
  });
}

export function partsQueryOptions() {
  return queryOptions({
    queryKey: ["parts", "list"],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/parts", { params: { query: { limit: LIMIT } }, signal })),
  });
}

export function vehicleMaintenanceQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: ["vehicle-maintenance", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/vehicles/{vehicle_id}/maintenance", { params: { path: { vehicle_id: vehicleId } }, signal })),
  });
}

/** The vehicle's work orders, newest first: its service history. */
export function vehicleWorkOrdersQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: ["work-orders", "vehicle", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/work-orders", {
          params: { query: { vehicle_id: vehicleId, sort: "-created_at", limit: 50 } },
          signal,
        }),
      ),
  });
}
