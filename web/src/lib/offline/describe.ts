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

/** Said of a change that waits while the browser is offline (and only then). */
export const WHEN_NETWORK_ALLOWS = "Will be sent when the network allows";

/**
 * Where a change stands. A waiting change is "Sending…" while online (the queue is at it);
 * only offline does it say it waits for the network.
 */
export function stateText(change: QueuedChange, online: boolean): string {
  switch (change.status) {
    case "pending":
      if (!online) return WHEN_NETWORK_ALLOWS;
      return change.error ? "Not sent yet, retrying" : "Sending…";
    case "syncing":
      return "Sending…";
    case "synced":
      return change.replayed ? "Synced (the server already had it)" : "Synced";
    case "conflict":
      return "Conflict";
    case "failed":
      return "Failed";
  }
}

/** What a form says once a change is queued: saved here, and sent now or when it can be. */
export function queuedNotice(what: string, online: boolean): string {
  return online
    ? `${what} Sending it to the server…`
    : `${what} Saved on this device; it is sent to the server when the network allows.`;
}
