import { afterEach, describe, expect, it, vi } from "vitest";

import { json, stubFetch } from "@/test/render";

import { createApiClient, unwrap } from "./client";
import { rememberCsrfToken } from "./csrf";
import { ApiError } from "./errors";

const api = createApiClient("http://localhost");

afterEach(() => {
  vi.unstubAllGlobals();
  rememberCsrfToken(null);
});

describe("the API client", () => {
  it("sends the CSRF cookie's token on unsafe methods only", async () => {
    document.cookie = "fy_csrf=token-from-cookie; path=/";
    const calls = stubFetch(() => json({ items: [], next_cursor: null }));
    await unwrap(api.GET("/api/v1/vehicles"));
    await api.POST("/api/v1/auth/switch", { body: { tenant: "acme" } });
    expect(calls[0]?.headers.get("X-CSRF-Token")).toBeNull();
    expect(calls[1]?.headers.get("X-CSRF-Token")).toBe("token-from-cookie");
    expect(calls[1]?.credentials).toBe("same-origin");
  });

  it("falls back to the token the login response gave", async () => {
    rememberCsrfToken("token-from-login");
    const calls = stubFetch(() => new Response(null, { status: 204 }));
    await unwrap(api.POST("/api/v1/auth/logout"));
    expect(calls[0]?.headers.get("X-CSRF-Token")).toBe("token-from-login");
  });

  it("maps the error envelope to a typed ApiError", async () => {
    stubFetch(() =>
      json(
        { error: { code: "not_found", message: "No such resource.", details: { id: "x" } } },
        404,
      ),
    );
    const error = await unwrap(
      api.GET("/api/v1/vehicles/{vehicle_id}", { params: { path: { vehicle_id: "x" } } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: "not_found", message: "No such resource." });
    expect((error as ApiError).details).toEqual({ id: "x" });
    expect((error as ApiError).isNotFound).toBe(true);
  });

  it("says so when a failure has no envelope", async () => {
    stubFetch(() => new Response("Bad gateway", { status: 502 }));
    const error = await unwrap(api.GET("/api/v1/tenant")).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: "unexpected_response" });
  });

  it("turns a failed network into network_error", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    const error = await unwrap(api.GET("/api/v1/tenant")).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: "network_error" });
  });
});
