import { afterEach, describe, expect, it, vi } from "vitest";

import { rememberCsrfToken } from "@/lib/api";
import { queuedChange } from "@/test/offline";
import { json, stubFetch } from "@/test/render";

import { httpSender } from "./send";
import type { QueuedChange } from "./types";

afterEach(() => {
  vi.unstubAllGlobals();
  rememberCsrfToken(null);
});

function change(request: QueuedChange["request"]): QueuedChange {
  return queuedChange({ request });
}

const send = httpSender("http://localhost");

describe("sending a queued change", () => {
  it("carries its Idempotency-Key, the CSRF token, If-Match and the JSON body", async () => {
    rememberCsrfToken("csrf-1");
    const calls = stubFetch(() => json({ id: "r1", version: 2 }));
    const outcome = await send(
      change({ method: "DELETE", path: "/api/v1/reservations/r1", ifMatch: 3 }),
    );
    expect(outcome).toEqual({ type: "ok", status: 200, data: { id: "r1", version: 2 }, replayed: false });
    const request = calls[0]!;
    expect(request.method).toBe("DELETE");
    expect(request.url).toBe("http://localhost/api/v1/reservations/r1");
    expect(request.headers.get("Idempotency-Key")).toBe("key-1");
    expect(request.headers.get("X-CSRF-Token")).toBe("csrf-1");
    expect(request.headers.get("If-Match")).toBe('"3"');

    await send(change({ method: "PATCH", path: "/api/v1/vehicles/v1", body: { name: "A", version: 1 } }));
    expect(calls[1]!.headers.get("Content-Type")).toBe("application/json");
    expect(await calls[1]!.json()).toEqual({ name: "A", version: 1 });
  });

  it("tells a replay by the server's header", async () => {
    stubFetch(() => new Response(JSON.stringify({ id: "r1" }), { status: 201, headers: { "Idempotent-Replayed": "true" } }));
    const outcome = await send(change({ method: "POST", path: "/api/v1/reservations", body: {} }));
    expect(outcome).toMatchObject({ type: "ok", status: 201, replayed: true });
  });

  it("keeps the server's refusal, and says when nothing answered", async () => {
    stubFetch(() =>
      json({ error: { code: "version_conflict", message: "Changed", details: { expected: 1, current: 2 } } }, 409),
    );
    const refused = await send(change({ method: "PATCH", path: "/api/v1/vehicles/v1", body: {} }));
    expect(refused).toMatchObject({ type: "refused", error: { status: 409, code: "version_conflict", details: { current: 2 } } });

    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    const unreachable = await send(change({ method: "PATCH", path: "/api/v1/vehicles/v1", body: {} }));
    expect(unreachable).toMatchObject({ type: "unreachable", error: { code: "network_error" } });
  });
});
