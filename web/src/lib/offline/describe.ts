import { formatDateTime, humanize } from "@/lib/format";

import type { QueuedChange } from "./types";

/** A field's value, for people: "—" for nothing, objects as `key: value` pairs. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.map(describeValue).join(", ") : "—";
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => (k === "state" ? humanize(String(v)) : `${humanize(k)}: ${describeValue(v)}`))
      .join(", ");
  }
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value);
  return String(value);
}

/** The fields an edit sets (its body, without `version`). */
export function changedFields(change: QueuedChange): [string, unknown][] {
  const body = change.request.body;
  if (typeof body !== "object" || body === null) return [];
  return Object.entries(body as Record<string, unknown>).filter(([field]) => field !== "version");
}

export function stateText(change: QueuedChange): string {
  switch (change.status) {
    case "pending":
      return change.error ? "Pending sync (will retry)" : "Pending sync";
    case "syncing":
      return "Syncing…";
    case "synced":
      return change.replayed ? "Synced (the server already had it)" : "Synced";
    case "conflict":
      return "Conflict";
    case "failed":
      return "Failed";
  }
}
