import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { testVehicle } from "@/test/fleet";

import { QueryCacheFeed } from "./cache";
import { liveKeys, type FleetState, type VehicleWithState } from "./keys";
import type { Alert, LivePosition, PositionMessage } from "./protocol";

const V1 = "00000000-0000-7000-8000-000000000001";
const V2 = "00000000-0000-7000-8000-000000000002";
const V9 = "00000000-0000-7000-8000-000000000009";

/** A vehicle whose last fix (if any) was at `fix`, with fuel and coolant readings. */
function vehicle(id: string, plate: string, fix?: string): VehicleWithState {
  const readings = { fuel_level_pct: 50, coolant_temp_c: 80 };
  return testVehicle(id, plate, fix ? { fix_time: fix, server_time: fix, attributes: readings } : null);
}

function position(vehicleId: string, fix: string, extra: Partial<LivePosition> = {}): LivePosition {
  return {
    seq: 1,
    vehicle_id: vehicleId,
    device_id: "d",
    fix_time: fix,
    server_time: fix,
    latitude: 60.1,
    longitude: 24.9,
    speed_kmh: 40,
    course: 90,
    altitude_m: null,
    satellites: 10,
    ignition: true,
    odometer_m: 1000,
    attributes: { fuel_level_pct: 49 },
    ...extra,
  };
}

function alert(id: string, state: "open" | "cleared"): Alert {
  return {
    id,
    vehicle_id: V1,
    device_id: null,
    kind: "dtc",
    code: "P0300",
    severity: "warning",
    state,
    message: "Misfire",
    details: {},
    opened_at: "2026-01-01T00:00:00Z",
    last_seen_at: "2026-01-01T00:00:00Z",
    cleared_at: state === "cleared" ? "2026-01-01T01:00:00Z" : null,
    acknowledged_at: null,
    acknowledged_by: null,
  };
}

const positions = (...items: LivePosition[]): PositionMessage => ({
  type: "vehicle.position" as const,
  seq: 5,
  ts: "",
  payload: { positions: items },
});

let client: QueryClient;
let feed: QueryCacheFeed;
let frames: (() => void)[];

function runFrame() {
  const due = frames.splice(0);
  for (const task of due) task();
}

beforeEach(() => {
  vi.useFakeTimers();
  client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  frames = [];
  feed = new QueryCacheFeed(client, {
    schedule: (task) => {
      frames.push(task);
      return () => {
        frames = frames.filter((queued) => queued !== task);
      };
    },
  });
});

afterEach(() => {
  feed.dispose();
  vi.useRealTimers();
});

describe("the live feed of the query cache", () => {
  it("folds positions into the fleet state once per frame, newest fix only", () => {
    const fleet: FleetState = [vehicle(V1, "A", "2026-01-01T00:00:00Z"), vehicle(V2, "B")];
    client.setQueryData(liveKeys.fleetState(), fleet);
    const seen: number[] = [];
    client.getQueryCache().subscribe((event) => {
      if (event.type === "updated") seen.push(1);
    });

    feed.receive(positions(position(V1, "2026-01-01T00:00:05Z")));
    feed.receive(positions(position(V1, "2026-01-01T00:00:06Z", { speed_kmh: 50 })));
    feed.receive(positions(position(V2, "2026-01-01T00:00:06Z")));
    feed.receive(positions(position(V1, "2026-01-01T00:00:01Z"))); // late: ignored
    expect(client.getQueryData(liveKeys.fleetState())).toBe(fleet); // nothing until the frame
    expect(frames).toHaveLength(1);

    runFrame();
    const after = client.getQueryData<FleetState>(liveKeys.fleetState()) ?? [];
    expect(seen).toHaveLength(1); // one cache update for three positions
    expect(after[0]?.state).toMatchObject({
      fix_time: "2026-01-01T00:00:06Z",
      speed_kmh: 50,
      latitude: 60.1,
      // readings that didn't come with this fix stay
      attributes: { fuel_level_pct: 49, coolant_temp_c: 80 },
    });
    expect(after[1]?.state?.fix_time).toBe("2026-01-01T00:00:06Z");
    expect(fleet[0]?.state?.fix_time).toBe("2026-01-01T00:00:00Z"); // never mutated
  });

  it("keeps a cached vehicle state current too", () => {
    client.setQueryData(liveKeys.vehicleState(V1), vehicle(V1, "A", "2026-01-01T00:00:00Z"));
    feed.receive(positions(position(V1, "2026-01-01T00:00:09Z")));
    runFrame();
    expect(
      client.getQueryData<VehicleWithState>(liveKeys.vehicleState(V1))?.state?.fix_time,
    ).toBe("2026-01-01T00:00:09Z");
  });

  it("fetches the snapshot again for a vehicle it doesn't know, at most every 2 s", async () => {
    client.setQueryData(liveKeys.fleetState(), [vehicle(V1, "A")]);
    const invalidate = vi.spyOn(client, "invalidateQueries");
    feed.receive(positions(position(V9, "2026-01-01T00:00:01Z")));
    runFrame();
    await vi.advanceTimersByTimeAsync(0);
    feed.receive(positions(position(V9, "2026-01-01T00:00:02Z")));
    runFrame();
    await vi.advanceTimersByTimeAsync(1000);
    expect(invalidate).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(invalidate).toHaveBeenCalledTimes(2);
    expect(invalidate).toHaveBeenCalledWith({ queryKey: liveKeys.fleetState(), exact: true });
  });

  it("puts newer positions back over a snapshot that was read before them", async () => {
    let answer: FleetState = [vehicle(V1, "A", "2026-01-01T00:00:00Z")];
    client.setQueryData(liveKeys.fleetState(), answer);
    feed.receive(positions(position(V1, "2026-01-01T00:00:30Z")));
    runFrame();
    // The snapshot, fetched meanwhile, knows only the older fix.
    answer = [vehicle(V1, "A", "2026-01-01T00:00:10Z")];
    await client.fetchQuery({ queryKey: liveKeys.fleetState(), queryFn: () => answer });
    runFrame();
    expect(client.getQueryData<FleetState>(liveKeys.fleetState())?.[0]?.state?.fix_time).toBe(
      "2026-01-01T00:00:30Z",
    );
  });

  it("opens and clears alerts in the open list, and patches cached alert pages", () => {
    client.setQueryData(liveKeys.openAlerts(), [alert("a1", "open")]);
    client.setQueryData(liveKeys.vehicleAlerts(V1), { items: [alert("a1", "open")] });
    client.setQueryData(["alerts", "list", { state: "all" }], { items: [alert("a1", "open")] });
    const invalidate = vi.spyOn(client, "invalidateQueries");

    feed.receive({ type: "alert.opened", seq: 6, ts: "", payload: alert("a2", "open") });
    expect(client.getQueryData<Alert[]>(liveKeys.openAlerts())?.map((a) => a.id)).toEqual([
      "a2",
      "a1",
    ]);
    feed.receive({ type: "alert.cleared", seq: 7, ts: "", payload: alert("a1", "cleared") });
    expect(client.getQueryData<Alert[]>(liveKeys.openAlerts())?.map((a) => a.id)).toEqual(["a2"]);
    const page = client.getQueryData<{ items: Alert[] }>(liveKeys.vehicleAlerts(V1));
    expect(page?.items[0]?.state).toBe("cleared");
    // Lists are refetched (their filters decide), the open list is not (it is kept here).
    const predicate = invalidate.mock.calls[0]?.[0]?.predicate;
    const queries = client.getQueryCache().getAll();
    const refetched = queries.filter((query) => predicate?.(query)).map((q) => q.queryKey);
    expect(refetched).toEqual([liveKeys.vehicleAlerts(V1), ["alerts", "list", { state: "all" }]]);
  });

  it("fetches your notifications again when the server says new ones came for you", () => {
    client.setQueryData(["notifications", "unread"], { count: 0 });
    client.setQueryData(["notifications", "settings"], { channels: [] });
    const invalidate = vi.spyOn(client, "invalidateQueries");
    feed.receive({ type: "notifications.released", seq: 9, ts: "", payload: {} });
    expect(invalidate.mock.calls.map(([filters]) => filters?.queryKey)).toEqual([
      ["notifications", "list"],
      ["notifications", "unread"],
    ]);
    expect(client.getQueryState(["notifications", "unread"])?.isInvalidated).toBe(true);
    expect(client.getQueryState(["notifications", "settings"])?.isInvalidated).toBe(false);
  });

  it("patches a renamed vehicle and refreshes the queries of the entity changed", () => {
    client.setQueryData(liveKeys.fleetState(), [vehicle(V1, "OLD-1")]);
    const invalidate = vi.spyOn(client, "invalidateQueries");
    feed.receive({
      type: "vehicle_updated",
      seq: 8,
      ts: "",
      payload: {
        id: 1,
        type: "vehicle_updated",
        entity_type: "vehicle",
        entity_id: V1,
        occurred_at: null,
        actor_type: "user",
        actor_id: null,
        changes: { plate: { before: "OLD-1", after: "NEW-1" }, status: { after: { state: "retired" } } },
      },
    });
    expect(client.getQueryData<FleetState>(liveKeys.fleetState())?.[0]).toMatchObject({
      plate: "NEW-1",
      status: "retired",
    });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: ["vehicles"] });
    feed.receive({
      type: "driver_created",
      seq: 9,
      ts: "",
      payload: {
        id: 2,
        type: "driver_created",
        entity_type: "driver",
        entity_id: "x",
        occurred_at: null,
        actor_type: "user",
        actor_id: null,
        changes: {},
      },
    });
    expect(invalidate).toHaveBeenLastCalledWith({ queryKey: ["drivers"] });
    feed.receive({
      type: "dispatch_stop_updated",
      seq: 10,
      ts: "",
      payload: {
        id: 3,
        type: "dispatch_stop_updated",
        entity_type: "dispatch_stop",
        entity_id: "y",
        occurred_at: null,
        actor_type: "user",
        actor_id: null,
        changes: { status: { before: "arrived", after: "completed" } },
      },
    });
    // a driver's stop reported: the dispatcher's live view and the routes are asked again
    expect(invalidate).toHaveBeenLastCalledWith({ queryKey: ["dispatch"] });
  });

  it("fetches the snapshot and everything live-fed again on resync_required", () => {
    const invalidate = vi.spyOn(client, "invalidateQueries");
    feed.receive({
      type: "resync_required",
      seq: 10,
      ts: "",
      payload: { reason: "gap", snapshot: "/api/v1/fleet/state" },
    });
    const keys = invalidate.mock.calls.map(([filters]) => filters?.queryKey);
    expect(keys).toEqual([
      liveKeys.fleetState(),
      liveKeys.alerts(),
      ["vehicles", "state"],
      ["vehicles", "alerts"],
    ]);
  });

  it("ignores control messages", () => {
    client.setQueryData(liveKeys.fleetState(), [vehicle(V1, "A")]);
    const invalidate = vi.spyOn(client, "invalidateQueries");
    for (const type of ["welcome", "subscribed", "heartbeat", "pong", "error"]) {
      feed.receive({ type, seq: 1, ts: "", payload: {} } as never);
    }
    expect(invalidate).not.toHaveBeenCalled();
    expect(frames).toHaveLength(0);
  });
});
