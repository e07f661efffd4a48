import { QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { contrast, parseHex } from "@/lib/color";
import { createQueryClient } from "@/lib/query";
import { json } from "@/test/render";

import { TELEMETRY_REFRESH_MS, vehicleTelemetryQueryOptions } from "../api";
import { TELEMETRY_METRICS, VehicleTelemetry } from "./VehicleTelemetry";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const HOUR = 3_600_000;

const spread = (avg: number) => ({ avg, min: avg - 5, max: avg + 10, count: 2 });

/** Speed in buckets 0–2 and 10–11 (a gap between), fuel in bucket 0 only, no coolant at all. */
function telemetryFor(url: URL) {
  const from = url.searchParams.get("from")!;
  const to = url.searchParams.get("to")!;
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000 / Number(url.searchParams.get("buckets"));
  const speeds: Record<number, number> = { 0: 10, 1: 30, 2: 50, 10: 70, 11: 90 };
  return {
    vehicle_id: "v1",
    from,
    to,
    bucket_seconds: seconds,
    buckets: Object.entries(speeds).map(([k, speed]) => ({
      start: new Date(Date.parse(from) + Number(k) * seconds * 1000).toISOString(),
      fixes: 2,
      speed_kmh: spread(speed),
      fuel_level_pct: k === "0" ? spread(60) : null,
      coolant_temp_c: null,
      rpm: spread(1000 + Number(k) * 100),
    })),
  };
}

/** A fake API; requests for windows listed in `held` wait until `release()`. */
function fakeApi(held: number[] = []) {
  const calls: URL[] = [];
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(input instanceof Request ? input.url : String(input), "http://localhost");
      if (url.pathname !== "/api/v1/vehicles/v1/telemetry") throw new Error(`unrouted ${url}`);
      calls.push(url);
      if (held.includes(hours(url))) await gate;
      return json(telemetryFor(url));
    }),
  );
  return { calls, release: () => release() };
}

const hours = (url: URL) =>
  (Date.parse(url.searchParams.get("to")!) - Date.parse(url.searchParams.get("from")!)) / HOUR;

function renderCard() {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <VehicleTelemetry vehicleId="v1" />
    </QueryClientProvider>,
  );
}

const chart = (name: RegExp) => screen.getByRole("img", { name });
const pathOf = (element: Element, part: string) => element.querySelector(`.telemetry-${part}`)!.getAttribute("d")!;

describe("a vehicle's telemetry", () => {
  it("draws each metric's line with its gaps, and says what it shows", async () => {
    fakeApi();
    renderCard();
    const speed = await screen.findByRole("img", {
      name: "Speed, last hour: average 50 km/h, min 5 km/h, max 100 km/h",
    });
    const line = pathOf(speed, "line");
    expect(line.match(/M/g)).toHaveLength(2); // buckets 3–9 are missing: the line breaks
    expect(line.match(/L/g)).toHaveLength(3); // 0–1–2, then 10–11
    expect(pathOf(speed, "band").match(/Z/g)).toHaveLength(2);
    // One bucket of fuel: a dot, no line
    const fuel = chart(/^Fuel level, last hour: average 60 %/);
    expect(pathOf(fuel, "line")).toBe("");
    expect(pathOf(fuel, "dots").match(/h0/g)).toHaveLength(1);
    const coolant = screen.getByRole("figure", { name: /Coolant temperature/ });
    within(coolant).getByText("No data in this window");
    expect(within(coolant).queryByRole("img")).toBeNull();
    expect(chart(/^Engine rpm, last hour: average 1,480 rpm/)).toBeTruthy();
    // the y axis runs from the lowest minimum to the highest maximum
    const speedFigure = screen.getByRole("figure", { name: /Speed/ });
    expect(within(speedFigure).getByText("100")).toBeTruthy();
    expect(within(speedFigure).getByText("5")).toBeTruthy();
  });

  it("asks for the last hour first, then the window chosen, keeping the old charts meanwhile", async () => {
    const api = fakeApi([6]);
    renderCard();
    await screen.findByRole("img", { name: /^Speed, last hour/ });
    expect(api.calls).toHaveLength(1);
    const [first] = api.calls;
    expect(hours(first!)).toBe(1);
    expect(first!.searchParams.get("buckets")).toBe("60");
    expect(Math.abs(Date.parse(first!.searchParams.get("to")!) - Date.now())).toBeLessThan(5_000);

    const group = screen.getByRole("group", { name: "Time window" });
    expect(within(group).getByRole("button", { name: "1 h" }).getAttribute("aria-pressed")).toBe("true");
    await userEvent.click(within(group).getByRole("button", { name: "6 h" }));
    expect(within(group).getByRole("button", { name: "6 h" }).getAttribute("aria-pressed")).toBe("true");
    expect(within(group).getByRole("button", { name: "1 h" }).getAttribute("aria-pressed")).toBe("false");
    await waitFor(() => expect(api.calls).toHaveLength(2));
    const second = api.calls[1]!;
    expect(hours(second)).toBe(6);
    expect(second.searchParams.get("buckets")).toBe("120");
    // while the 6 h answer is on its way, the hour's charts stay
    expect(chart(/^Speed, last hour/)).toBeTruthy();
    expect(screen.getByText("Updating…")).toBeTruthy();
    api.release();
    await screen.findByRole("img", { name: /^Speed, last 6 hours/ });
    expect(screen.queryByText("Updating…")).toBeNull();
  });

  it("reads out the bucket picked with the keyboard", async () => {
    fakeApi();
    renderCard();
    await screen.findByRole("img", { name: /^Speed/ });
    const scrub = screen.getByRole("slider", { name: "Speed at a time" });
    expect(scrub.getAttribute("aria-valuetext")).toMatch(/: 90 km\/h \(85–100\)$/); // the latest
    fireEvent.change(scrub, { target: { value: "1" } });
    expect(scrub.getAttribute("aria-valuetext")).toMatch(/: 30 km\/h \(25–40\)$/);
    const figure = screen.getByRole("figure", { name: /Speed/ });
    expect(within(figure).getByText(/: 30 km\/h \(25–40\)$/)).toBeTruthy();
    expect(figure.querySelector(".telemetry-cursor")).not.toBeNull();
  });

  it("refreshes every 30 seconds", () => {
    expect(TELEMETRY_REFRESH_MS).toBe(30_000);
    expect(vehicleTelemetryQueryOptions("v1", "6h").refetchInterval).toBe(30_000);
  });

  it("draws in colours that read on the card's white (WCAG AA)", () => {
    for (const metric of TELEMETRY_METRICS) {
      expect(contrast(parseHex(metric.color)!, [255, 255, 255])).toBeGreaterThanOrEqual(4.5);
    }
  });
});
