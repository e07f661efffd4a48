/**
 * The event types a webhook can subscribe to, as people read them: labels and domains from
 * the API's own list (`GET /api/v1/events/types`), so settings, docs and integrators use the
 * same words. The real names are what the API receives.
 */
import type { Schemas } from "@/lib/api";
import { humanize } from "@/lib/format";

export type EventTypeInfo = Schemas["EventType"];

/** Every event type; it can't be combined with others. */
export const ALL_EVENTS = "*";

export interface EventDomain {
  domain: string;
  label: string;
  types: EventTypeInfo[];
}

/** The list by domain, in the API's order. */
export function byDomain(types: readonly EventTypeInfo[]): EventDomain[] {
  const domains = new Map<string, EventDomain>();
  for (const type of types) {
    let domain = domains.get(type.domain);
    if (!domain) {
      domain = { domain: type.domain, label: type.domain_label, types: [] };
      domains.set(type.domain, domain);
    }
    domain.types.push(type);
  }
  return [...domains.values()];
}

/** "alert_opened" → "Alert opened" (the API's label; a type it doesn't list, humanized). */
export function eventTypeLabel(type: string, known: readonly EventTypeInfo[] = []): string {
  if (type === ALL_EVENTS) return "Every event";
  return known.find((t) => t.type === type)?.label ?? humanize(type);
}

export function eventTypeLabels(types: readonly string[], known: readonly EventTypeInfo[] = []): string {
  return types.length ? types.map((t) => eventTypeLabel(t, known)).join(", ") : "none";
}
