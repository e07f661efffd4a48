import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import { LeaderboardPage } from "./LeaderboardPage";
import { LeaderboardSummary } from "./LeaderboardSummary";
import { ScorecardPage, type EventMapProps } from "./ScorecardPage";

afterEach(() => vi.unstubAllGlobals());

const DRIVER = "00000000-0000-7000-8000-0000000000c1";
const VEHICLE = "00000000-0000-7000-8000-0000000000a1";
const at = new Date(2026, 11, 3, 8, 1);

const deduction = {
  kind: "harsh_braking",
  label: "Harsh braking",
  basis: "per 100 km",
  count: 1,
  points: 12,
  events: [
    {
      id: "00000000-0000-7000-8000-0000000000e1",
      kind: "harsh_braking",
      severity: "medium",
      vehicle_id: VEHICLE,
      started_at: at.toISOString(),
      ended_at: at.toISOString(),
      latitude: 60.18,
      longitude: 24.945,
      points: 12,
      why: "6.0 (medium) × 100 km / 50.0 km",
    },
  ],
};

function scorecardBody(period: string | null) {
  return {
    score: 88,
    distance_km: 12.3,
    driving_s: 1500,
    deductions: [deduction],
    driver_id: DRIVER,
    driver_name: "Ada Driver",
    period,
    from: "2026-11-20T00:00:00Z",
    to: "2026-12-04T00:00:00Z",
    time_zone: "Europe/Helsinki",
    method: {},
    periods: [],
  };
}

/** Stands in for the app's MapLibre map: what it was asked to draw, as text. */
function FakeEventMap({ events, selectedId, label }: EventMapProps) {
  return (
    <p data-testid="event-map">
      {label}: {events.map((e) => `${e.label}@${e.latitude},${e.longitude}${e.id === selectedId ? "*" : ""}`).join("; ")}
    </p>
  );
}

const entry = (rank: number, name: string, score: number) => ({
  rank,
  driver_id: `00000000-0000-7000-8000-0000000000${String(rank).padStart(2, "0")}`,
  name,
  score,
  distance_km: 100,
  driving_s: 3600,
  events: 1,
});

describe("the driver scorecard", () => {
  it("shows the score, its trend, and each deduction's events linking to the trip at that moment", async () => {
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/drivers/${DRIVER}/scorecard`)
        return json({
          score: 88,
          distance_km: 12.3,
          driving_s: 1500,
          deductions: [deduction],
          driver_id: DRIVER,
          driver_name: "Ada Driver",
          period: url.searchParams.get("period"),
          from: "2026-11-20T00:00:00Z",
          to: "2026-12-04T00:00:00Z",
          time_zone: "Europe/Helsinki",
          method: {},
          periods: [
            { score: 100, distance_km: 1, driving_s: 60, deductions: [], start: "2026-12-02T00:00:00Z", end: "2026-12-03T00:00:00Z", trip_id: null, vehicle_id: null },
            { score: 88, distance_km: 1, driving_s: 60, deductions: [deduction], start: "2026-12-03T00:00:00Z", end: "2026-12-04T00:00:00Z", trip_id: null, vehicle_id: null },
          ],
        });
      return undefined;
    });
    renderAt(<ScorecardPage />, `/drivers/${DRIVER}/scorecard`, "/drivers/:driverId/scorecard");
    expect((await screen.findByTestId("driver-score")).textContent).toBe("88");
    expect(screen.getByText("Down 12 points over these periods.")).toBeTruthy();
    await userEvent.click(screen.getByText("Harsh braking:"));
    expect(screen.getByText("(6.0 (medium) × 100 km / 50.0 km)")).toBeTruthy();
    const link = screen.getByRole("link", { name: /Play back the trip at this moment/ });
    expect(link.getAttribute("href")).toBe(`/vehicles/${VEHICLE}/trips?day=2026-12-03&at=${at.getTime()}`);
    await userEvent.selectOptions(screen.getByLabelText("Show"), "week");
    expect((await screen.findAllByText(/Week of/)).length).toBe(2);
    expect(new URL(calls.at(-1)?.url ?? "").searchParams.get("period")).toBe("week");
  });

  it("ranks the tenant's drivers, each linking to a scorecard", async () => {
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/drivers/leaderboard")
        return json({
          period: "week",
          date: "2026-12-03",
          from: "2026-11-30T00:00:00Z",
          to: "2026-12-07T00:00:00Z",
          time_zone: "Europe/Helsinki",
          entries: [{ rank: 1, driver_id: DRIVER, name: "Ada Driver", score: 97.4, distance_km: 120, driving_s: 7200, events: 2 }],
        });
      return undefined;
    });
    renderAt(<LeaderboardPage />, "/drivers/scores");
    const link = await screen.findByRole("link", { name: "Ada Driver" });
    expect(link.getAttribute("href")).toBe(`/drivers/${DRIVER}/scorecard`);
    expect(screen.getByText("97")).toBeTruthy();
  });

  it("opens a deduction onto a small map of its events, the picked one highlighted", async () => {
    stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === `/api/v1/drivers/${DRIVER}/scorecard`) return json(scorecardBody(url.searchParams.get("period")));
      return undefined;
    });
    renderAt(<ScorecardPage EventMap={FakeEventMap} />, `/drivers/${DRIVER}/scorecard`, "/drivers/:driverId/scorecard");
    await screen.findByTestId("driver-score");
    // closed, no map is drawn (MapLibre loads only for what is opened)
    expect(screen.queryByTestId("event-map")).toBeNull();
    await userEvent.click(screen.getByText("Harsh braking:"));
    const region = await screen.findByRole("region", { name: "Map: where the harsh braking events happened" });
    expect(region.textContent).toMatch(/^Harsh braking: 1\. .+@60\.18,24\.945$/);
    const show = screen.getByRole("button", { name: /Show on the map/ });
    expect(show.getAttribute("aria-pressed")).toBe("false");
    await userEvent.click(show);
    expect(show.getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("event-map").textContent).toMatch(/@60\.18,24\.945\*$/);
  });

  it("sums up this week's best and worst drivers, linking to the full leaderboard", async () => {
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/drivers/leaderboard")
        return json({
          period: "week",
          date: "2026-12-03",
          from: "2026-11-30T00:00:00Z",
          to: "2026-12-07T00:00:00Z",
          time_zone: "Europe/Helsinki",
          entries: [
            entry(1, "Ada", 99),
            entry(2, "Bea", 95),
            entry(3, "Cy", 90),
            entry(4, "Dee", 86),
            entry(5, "Eve", 80),
            entry(6, "Fay", 72),
            entry(7, "Gus", 51),
          ],
        });
      return undefined;
    });
    renderAt(<LeaderboardSummary />, "/drivers");
    const best = await screen.findByRole("list", { name: "Safest" });
    expect([...best.querySelectorAll("a")].map((a) => a.textContent)).toEqual(["Ada", "Bea", "Cy"]);
    const worst = screen.getByRole("list", { name: "Most points off" });
    expect([...worst.querySelectorAll("a")].map((a) => a.textContent)).toEqual(["Eve", "Fay", "Gus"]);
    expect([...worst.querySelectorAll("li")].map((li) => li.getAttribute("value"))).toEqual(["5", "6", "7"]);
    expect(screen.getByRole("link", { name: "Gus" }).getAttribute("href")).toBe(`/drivers/${entry(7, "", 0).driver_id}/scorecard`);
    expect(screen.getByRole("link", { name: "Full leaderboard" }).getAttribute("href")).toBe("/drivers/scores");
    expect(new URL(calls[0]!.url).searchParams.get("period")).toBe("week");
  });

  it("says so when nobody drove this week", async () => {
    stubFetch((request) =>
      new URL(request.url).pathname === "/api/v1/drivers/leaderboard"
        ? json({ period: "week", date: "2026-12-03", from: "2026-11-30T00:00:00Z", to: "2026-12-07T00:00:00Z", time_zone: "UTC", entries: [] })
        : undefined,
    );
    renderAt(<LeaderboardSummary />, "/drivers");
    expect(await screen.findByText("No driver has driven this week yet.")).toBeTruthy();
    expect(screen.queryByRole("list")).toBeNull();
  });
});
