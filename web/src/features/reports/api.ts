import { queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type Report = Schemas["ReportOut"];
export type ReportKind = "trips" | "stops" | "daily-summary" | "geofence-visits" | "speeding" | "driver-scores" | "alerts";
export type ReportFormat = "csv" | "xlsx" | "pdf";

export const REPORT_KINDS: readonly { kind: ReportKind; label: string }[] = [
  { kind: "daily-summary", label: "Daily summary" },
  { kind: "trips", label: "Trips" },
  { kind: "stops", label: "Stops" },
  { kind: "geofence-visits", label: "Geofence visits" },
  { kind: "speeding", label: "Speeding" },
  { kind: "driver-scores", label: "Driver scores" },
  { kind: "alerts", label: "Alerts" },
];

export interface ReportRequest {
  kind: ReportKind;
  /** ISO date-times with offset, [from, to) */
  from: string;
  to: string;
}

/** A day picked in a date input ("2026-06-10") as the instant that day starts here. */
export function dayStart(day: string): string {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, date ?? 1).toISOString();
}

/** The file's address: the browser downloads it with the session's cookie. */
export function downloadUrl(request: ReportRequest, format: ReportFormat): string {
  const query = new URLSearchParams({ from: request.from, to: request.to, format });
  return `/api/v1/reports/${request.kind}?${query.toString()}`;
}

export function reportQueryOptions(request: ReportRequest) {
  return queryOptions({
    queryKey: ["reports", request.kind, request.from, request.to] as const,
    // The operation also answers files (format=csv|xlsx|pdf); without format it is JSON.
    queryFn: async ({ signal }): Promise<Report> =>
      (await unwrap(
        api.GET("/api/v1/reports/{kind}", {
          params: { path: { kind: request.kind }, query: { from: request.from, to: request.to } },
          signal,
        }),
      )) as Report,
  });
}
