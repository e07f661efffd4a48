import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";

import { liveQueryOptions, myRoutesQueryOptions, routeQueryOptions, type EtaUpdate } from "./api";
import { applyEta } from "./live";
import { LIVE, routeOf, stopOf } from "./testData";

const UPDATE: EtaUpdate = {
  route_id: "r1",
  dispatch_id: "d1",
  vehicle_id: "v1",
  position_at: "2026-12-05T10:00:00Z",
  eta_at: "2026-12-05T11:30:00Z",
  off_route_m: 40,
  stops: [
    { stop_id: "s4", eta_at: "2026-12-05T10:50:00Z", late_minutes: 20 },
    { stop_id: "s5", eta_at: "2026-12-05T11:10:00Z", late_minutes: 0 },
  ],
};

describe("a dispatch.eta message", () => {
  it("patches the route, the driver's day and the dispatcher's row of that route only", () => {
    const client = new QueryClient();
    const route = routeOf([stopOf(3, { status: "completed" }), stopOf(4), stopOf(5)]);
    const other = { ...route, id: "r9" };
    client.setQueryData(routeQueryOptions("r1").queryKey, route);
    client.setQueryData(myRoutesQueryOptions("2026-12-05").queryKey, [route, other]);
    client.setQueryData(liveQueryOptions().queryKey, LIVE);

    applyEta(client, UPDATE);

    const one = client.getQueryData(routeQueryOptions("r1").queryKey)!;
    expect(one.stops?.map((s) => [s.id, s.eta_at, s.late_minutes])).toEqual([
      ["s3", route.stops![0]!.eta_at, 0],
      ["s4", "2026-12-05T10:50:00Z", 20],
      ["s5", "2026-12-05T11:10:00Z", 0],
    ]);
    expect(one.off_route_m).toBe(40);
    const mine = client.getQueryData(myRoutesQueryOptions("2026-12-05").queryKey)!;
    expect(mine[0]?.stops?.[1]?.late_minutes).toBe(20);
    expect(mine[1]).toBe(other);
    const [dispatch] = client.getQueryData(liveQueryOptions().queryKey)!;
    expect(dispatch?.routes[0]).toMatchObject({ next_eta_at: "2026-12-05T10:50:00Z", late_minutes: 20, off_route_m: 40 });
    expect(dispatch?.routes[1]).toBe(LIVE[0]!.routes[1]);
  });
});
