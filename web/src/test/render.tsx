import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { vi } from "vitest";

import { createQueryClient } from "@/lib/query";

/** A JSON response with the given status. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export type Route = (request: Request) => Response | undefined;

/** Stub the global fetch: each request goes to `route`; unrouted ones are a test failure. */
export function stubFetch(route: Route) {
  const calls: Request[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request =
      typeof input === "object" && "url" in input
        ? (input as Request)
        : new Request(new URL(String(input), "http://localhost"), init);
    calls.push(request);
    const response = route(request);
    if (!response) throw new Error(`unrouted request ${request.method} ${request.url}`);
    return response;
  });
  vi.stubGlobal("fetch", fetchMock);
  return calls;
}

/** Render `element` at `path` inside the app's providers. */
export function renderAt(element: ReactElement, path = "/", pattern = "*") {
  const client = createQueryClient();
  const router = createMemoryRouter([{ path: pattern, element }], { initialEntries: [path] });
  return {
    client,
    router,
    ...render(
      <QueryClientProvider client={client}>
        <RouterProvider router={router} />
      </QueryClientProvider>,
    ),
  };
}
