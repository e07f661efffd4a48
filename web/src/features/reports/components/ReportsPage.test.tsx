import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { json, renderAt, stubFetch } from "@/test/render";

import type { Report } from "../api";
import { ReportsPage } from "./ReportsPage";

afterEach(() => vi.unstubAllGlobals());

function summary(kind: string): Report {
  return {
    kind,
    title: "Daily summary",
    time_zone: "Europe/Helsinki",
    start: "2026-06-09T21:00:00Z",
    end: "2026-06-12T21:00:00Z",
    columns: [
      { key: "day", label: "Day", type: "date" },
      { key: "vehicle", label: "Vehicle", type: "text" },
      { key: "distance_km", label: "Distance (km)", type: "number" },
    ],
    rows: [
      { day: "2026-06-10", vehicle: "ABC-123", distance_km: 42.75 },
      { day: "2026-06-11", vehicle: "ABC-123", distance_km: 44 },
    ],
    chart_title: "Distance per day (km)",
    chart: [
      { category: "2026-06-10", value: 42.75 },
      { category: "2026-06-11", value: 44 },
    ],
  };
}

describe("the reports page", () => {
  it("shows the daily summary's table and chart, and offers the files", async () => {
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      const kind = /^\/api\/v1\/reports\/([^/]+)$/.exec(url.pathname)?.[1];
      return kind ? json(summary(kind)) : undefined;
    });
    renderAt(asRole("viewer", <ReportsPage />), "/reports");
    expect(await screen.findByText("42.75")).toBeTruthy();
    expect(screen.getByText("Times in Europe/Helsinki")).toBeTruthy();
    const chart = screen.getByRole("img", { name: "Distance per day (km)" });
    expect(chart.querySelectorAll("rect")).toHaveLength(2);
    const pdf = screen.getByRole("link", { name: "Download PDF" }).getAttribute("href") ?? "";
    expect(pdf).toMatch(/^\/api\/v1\/reports\/daily-summary\?/);
    expect(new URL(pdf, "http://x").searchParams.get("format")).toBe("pdf");

    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Report" }), "trips");
    await vi.waitFor(() =>
      expect(calls.some((c) => new URL(c.url).pathname === "/api/v1/reports/trips")).toBe(true),
    );
    expect(screen.getByRole("link", { name: "Download CSV" }).getAttribute("href")).toMatch(/reports\/trips\?.*format=csv/);
  });
});
