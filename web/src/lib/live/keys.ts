/**
 * The query keys the live feed keeps current. Features that show live data build their
 * queries on these keys (their query-options functions live in the feature's api.ts); the
 * feed patches or invalidates them and never knows who is looking.
 *
 * Record events invalidate by entity: `vehicle_updated` → every query under `["vehicles"]`,
 * `driver_created` → `["drivers"]`, and so on (ENTITY_ROOTS). A feature that keeps records of
 * those entities under these roots is kept fresh for free.
 */
import type { Schemas } from "@/lib/api";

export type VehicleWithState = Schemas["VehicleWithState"];
export type VehicleReading = Schemas["VehicleReading"];

/** Every vehicle of the tenant with its latest state (all pages of /api/v1/fleet/state). */
export type FleetState = VehicleWithState[];

export const liveKeys = {
  /** `FleetState`. */
  fleetState: () => ["fleet", "state"] as const,
  /** `VehicleWithState` of one vehicle (`GET /api/v1/vehicles/{id}/state`). */
  vehicleState: (vehicleId: string) => ["vehicles", "state", vehicleId] as const,
  /** The signed-in member's notifications (the bell's list) and how many are unread. */
  notificationList: () => ["notifications", "list"] as const,
  unreadNotifications: () => ["notifications", "unread"] as const,
  /** Every query of alerts: pages (`{items: Alert[]}`) or one alert. */
  alerts: () => ["alerts"] as const,
  /** `Alert[]`: the tenant's open alerts, kept by the feed without refetching. */
  openAlerts: () => ["alerts", "open", "all"] as const,
  /** A vehicle's alerts, as the vehicles feature keeps them. */
  vehicleAlerts: (vehicleId: string) => ["vehicles", "alerts", vehicleId] as const,
};

/** Where each entity's queries live, for record events. */
export const ENTITY_ROOTS: Readonly<Record<string, string>> = {
  vehicle: "vehicles",
  driver: "drivers",
  device: "devices",
  group: "groups",
  reservation: "reservations",
  member: "members",
  api_key: "api-keys",
  tenant: "tenant",
  alert: "alerts",
  // a driver's stop reported, a route assigned or superseded: the dispatcher's view refreshes now
  dispatch: "dispatch",
  dispatch_route: "dispatch",
  dispatch_stop: "dispatch",
};
