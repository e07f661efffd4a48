import "fake-indexeddb/auto";

import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";

import { OfflineProvider } from "@/lib/offline";
import { createQueryClient } from "@/lib/query";

let dbCount = 0;

/**
 * Like `renderAt`, with the offline change queue (a fresh fake IndexedDB each time) around
 * the screen, signed in as `u:t`. `routes` adds screens a form navigates to.
 */
export function renderWithQueueAt(element: ReactElement, path = "/", pattern = "*", routes: RouteObject[] = []) {
  const client = createQueryClient();
  const router = createMemoryRouter([{ path: pattern, element }, ...routes], { initialEntries: [path] });
  dbCount += 1;
  return {
    client,
    router,
    ...render(
      <QueryClientProvider client={client}>
        <OfflineProvider scopeOf={() => "u:t"} dbName={`screen-test-${dbCount}`}>
          <RouterProvider router={router} />
        </OfflineProvider>
      </QueryClientProvider>,
    ),
  };
}
