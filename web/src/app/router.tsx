import { createBrowserRouter } from "react-router";

import { Loading } from "@/components/Status";

import { AppShell } from "./routes/AppShell";
import { RouteError } from "./routes/RouteError";

/** What shows while the first screen's code loads (React Router asks for one when the first
 * route matched is lazy; without it, it warns on every first load). */
const firstLoad = <Loading />;

/** Every screen loads on demand; the shell and the session check are all that load first. */
export function createRouter() {
  return createBrowserRouter([
    {
      path: "/login",
      lazy: async () => ({
        Component: (await import("@/features/auth/components/LoginPage")).LoginPage,
      }),
      errorElement: <RouteError />,
      hydrateFallbackElement: firstLoad,
    },
    {
      path: "/choose-tenant",
      lazy: async () => ({
        Component: (await import("@/features/auth/components/ChooseTenantPage")).ChooseTenantPage,
      }),
      errorElement: <RouteError />,
      hydrateFallbackElement: firstLoad,
    },
    {
      path: "/",
      element: <AppShell />,
      errorElement: <RouteError />,
      hydrateFallbackElement: firstLoad,
      children: [
        {
          index: true,
          lazy: async () => ({
            Component: (await import("@/features/dashboard/components/DashboardPage")).DashboardPage,
          }),
        },
        {
          path: "map",
          lazy: async () => ({
            Component: (await import("@/features/map/components/MapPage")).MapPage,
          }),
        },
        {
          path: "vehicles",
          lazy: async () => ({
            Component: (await import("@/features/vehicles/components/VehiclesPage")).VehiclesPage,
          }),
        },
        {
          path: "vehicles/:vehicleId",
          lazy: async () => ({
            Component: (await import("./routes/VehicleRoute")).VehicleRoute,
          }),
        },
        {
          path: "vehicles/:vehicleId/trips",
          lazy: async () => ({
            Component: (await import("./routes/TripsRoute")).TripsRoute,
          }),
        },
        {
          path: "drivers",
          lazy: async () => ({
            Component: (await import("./routes/DriversRoute")).DriversRoute,
          }),
        },
        {
          path: "drivers/new",
          lazy: async () => ({
            Component: (await import("@/features/drivers/components/DriverCreatePage"))
              .DriverCreatePage,
          }),
        },
        {
          path: "drivers/:driverId",
          lazy: async () => ({
            Component: (await import("@/features/drivers/components/DriverDetailPage"))
              .DriverDetailPage,
          }),
        },
        {
          path: "drivers/scores",
          lazy: async () => ({
            Component: (await import("@/features/scorecard/components/LeaderboardPage")).LeaderboardPage,
          }),
        },
        {
          path: "drivers/:driverId/scorecard",
          lazy: async () => ({
            Component: (await import("./routes/ScorecardRoute")).ScorecardRoute,
          }),
        },
        {
          path: "drivers/:driverId/edit",
          lazy: async () => ({
            Component: (await import("@/features/drivers/components/DriverEditPage")).DriverEditPage,
          }),
        },
        {
          path: "maintenance",
          lazy: async () => ({
            Component: (await import("@/features/maintenance/components/MaintenancePage")).MaintenancePage,
          }),
        },
        {
          path: "maintenance/schedules",
          lazy: async () => ({
            Component: (await import("@/features/maintenance/components/SchedulesPage")).SchedulesPage,
          }),
        },
        {
          path: "maintenance/parts",
          lazy: async () => ({
            Component: (await import("@/features/maintenance/components/PartsPage")).PartsPage,
          }),
        },
        {
          path: "work-orders",
          lazy: async () => ({
            Component: (await import("@/features/workorders/components/WorkOrdersPage")).WorkOrdersPage,
          }),
        },
        {
          path: "work-orders/:workOrderId",
          lazy: async () => ({
            Component: (await import("@/features/workorders/components/WorkOrderDetailPage")).WorkOrderDetailPage,
          }),
        },
        {
          path: "inspections",
          lazy: async () => ({
            Component: (await import("@/features/inspections/components/InspectionPage")).InspectionPage,
          }),
        },
        {
          path: "defects",
          lazy: async () => ({
            Component: (await import("@/features/inspections/components/DefectsPage")).DefectsPage,
          }),
        },
        {
          path: "my-route",
          lazy: async () => ({
            Component: (await import("./routes/DispatchRoutes")).MyRouteRoute,
          }),
        },
        {
          path: "dispatch",
          lazy: async () => ({
            Component: (await import("./routes/DispatchRoutes")).DispatchRoute,
          }),
        },
        {
          path: "route-plans",
          lazy: async () => ({
            Component: (await import("@/features/routeplans/components/RoutePlansPage")).RoutePlansPage,
          }),
        },
        {
          path: "route-plans/new",
          lazy: async () => ({
            Component: (await import("@/features/routeplans/components/NewPlanPage")).NewPlanPage,
          }),
        },
        {
          path: "route-plans/:planId",
          lazy: async () => ({
            Component: (await import("./routes/RoutePlanRoutes")).RoutePlanRoute,
          }),
        },
        {
          path: "alerts",
          lazy: async () => ({
            Component: (await import("@/features/alerts/components/AlertsPage")).AlertsPage,
          }),
        },
        {
          path: "reports",
          lazy: async () => ({
            Component: (await import("@/features/reports/components/ReportsPage")).ReportsPage,
          }),
        },
        {
          path: "devices",
          lazy: async () => ({
            Component: (await import("@/features/devices/components/DevicesPage")).DevicesPage,
          }),
        },
        {
          path: "devices/new",
          lazy: async () => ({
            Component: (await import("@/features/devices/components/DeviceCreatePage"))
              .DeviceCreatePage,
          }),
        },
        {
          path: "devices/:deviceId",
          lazy: async () => ({
            Component: (await import("@/features/devices/components/DeviceDetailPage"))
              .DeviceDetailPage,
          }),
        },
        {
          path: "devices/:deviceId/edit",
          lazy: async () => ({
            Component: (await import("@/features/devices/components/DeviceEditPage")).DeviceEditPage,
          }),
        },
        {
          path: "groups",
          lazy: async () => ({
            Component: (await import("@/features/groups/components/GroupsPage")).GroupsPage,
          }),
        },
        {
          path: "geofences",
          lazy: async () => ({
            Component: (await import("./routes/GeofencesRoute")).GeofencesRoute,
          }),
        },
        {
          path: "settings",
          lazy: async () => ({
            Component: (await import("@/features/settings/components/SettingsPage")).SettingsPage,
          }),
        },
        {
          path: "settings/notifications",
          lazy: async () => ({
            Component: (await import("@/features/notifications/components/NotificationSettingsPage"))
              .NotificationSettingsPage,
          }),
        },
        {
          path: "settings/integrations",
          lazy: async () => ({
            Component: (await import("@/features/integrations/components/IntegrationsPage"))
              .IntegrationsPage,
          }),
        },
        {
          path: "reservations",
          lazy: async () => ({
            Component: (await import("@/features/reservations/components/ReservationsPage"))
              .ReservationsPage,
          }),
        },
        {
          path: "search",
          lazy: async () => ({
            Component: (await import("@/features/search/components/SearchPage")).SearchPage,
          }),
        },
        {
          path: "*",
          lazy: async () => ({
            Component: (await import("./routes/NotFoundPage")).NotFoundPage,
          }),
        },
      ],
    },
  ]);
}
