import { createBrowserRouter, Navigate } from "react-router";

import { AppShell } from "./routes/AppShell";
import { RouteError } from "./routes/RouteError";

const PLACEHOLDERS = ["map", "drivers", "reservations", "alerts", "devices", "settings"];

/** Every screen loads on demand; the shell and the session check are all that load first. */
export function createRouter() {
  return createBrowserRouter([
    {
      path: "/login",
      lazy: async () => ({
        Component: (await import("@/features/auth/components/LoginPage")).LoginPage,
      }),
      errorElement: <RouteError />,
    },
    {
      path: "/choose-tenant",
      lazy: async () => ({
        Component: (await import("@/features/auth/components/ChooseTenantPage")).ChooseTenantPage,
      }),
      errorElement: <RouteError />,
    },
    {
      path: "/",
      element: <AppShell />,
      errorElement: <RouteError />,
      children: [
        { index: true, element: <Navigate to="/vehicles" replace /> },
        {
          path: "vehicles",
          lazy: async () => ({
            Component: (await import("@/features/vehicles/components/VehiclesPage")).VehiclesPage,
          }),
        },
        {
          path: "vehicles/:vehicleId",
          lazy: async () => ({
            Component: (await import("@/features/vehicles/components/VehicleDetailPage"))
              .VehicleDetailPage,
          }),
        },
        {
          // Before the placeholders: the first of two routes with one path wins.
          path: "reservations",
          lazy: async () => ({
            Component: (await import("@/features/reservations/components/ReservationsPage"))
              .ReservationsPage,
          }),
        },
        ...PLACEHOLDERS.map((path) => ({
          path,
          lazy: async () => ({
            Component: (await import("./routes/PlaceholderPage")).PlaceholderPage,
          }),
        })),
        {
          path: "*",
          lazy: async () => ({
            Component: (await import("./routes/PlaceholderPage")).NotFoundPage,
          }),
        },
      ],
    },
  ]);
}
