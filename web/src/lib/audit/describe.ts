/**
 * The audit trail as sentences: "Dispatcher Anna Virtanen moved the vehicle to Pasila depot."
 * One builder per event type the server writes (the `EventType` list of the API: tsc fails
 * when a new one has no sentence); anything else still reads as a plain sentence. Ids never
 * show: the events API names the records they point at (`names`), and an id it could not name
 * is "a deleted record".
 */
import { humanize } from "@/lib/format";

import {
  QUIET_FIELDS,
  fieldLabel,
  quoted,
  roleWords,
  valueText,
  type AuditEvent,
  type Change,
  type EventTypeName,
} from "./words";

export type { AuditEvent, EventTypeName } from "./words";

export interface DescribeOptions {
  /** Shown on the record's own page: "the vehicle" rather than "the vehicle ABC-123". */
  onRecordPage?: boolean;
}

export interface Described {
  /** Who: "Dispatcher Anna Virtanen", "API key ‘Zapier’", "The tracker". */
  actor: string;
  /** What, after the actor: "moved the vehicle to Pasila depot". */
  action: string;
  /** Both, as one sentence with its full stop. */
  sentence: string;
}

const NOUNS: Record<string, string> = {
  vehicle: "vehicle",
  driver: "driver",
  device: "device",
  reservation: "reservation",
  group: "group",
  alert: "alert",
  member: "member",
  api_key: "API key",
  webhook: "webhook",
  integration: "integration",
  tenant: "organisation",
  geofence: "geofence",
  trip: "trip",
  stop: "stop",
  driving_event: "driving event",
  report_schedule: "report schedule",
  report_run: "scheduled report",
  service_schedule: "service schedule",
  work_order: "work order",
  part: "part",
  inspection_template: "inspection checklist",
  inspection: "inspection",
  defect: "defect",
};
const QUOTED_NAMES = new Set(["alert", "api_key", "webhook", "integration"]);

/** What a sentence needs to know while it is being written. */
class Ctx {
  private mentioned = false;
  readonly changes: Record<string, Change>;

  constructor(
    readonly event: AuditEvent,
    private readonly options: DescribeOptions,
  ) {
    const changes: Record<string, Change> = {};
    for (const [field, raw] of Object.entries(event.changes ?? {})) {
      if (QUIET_FIELDS.has(field)) continue;
      const pair = (raw ?? {}) as Partial<Change>;
      changes[field] = { before: pair.before ?? null, after: pair.after ?? null };
    }
    this.changes = changes;
  }

  get noun(): string {
    return NOUNS[this.event.entity_type] ?? humanize(this.event.entity_type).toLowerCase();
  }

  /** The record in full: "the vehicle ABC-123", "the alert ‘Coolant 112 °C’", "Anna". */
  get record(): string {
    const { entity_type: type, entity_name: name } = this.event;
    if (type === "tenant") return "the organisation";
    if (this.options.onRecordPage || !name) return type === "member" ? "a member" : `the ${this.noun}`;
    if (type === "member") return name;
    if (type === "reservation") return `the reservation of ${name}`;
    return `the ${this.noun} ${QUOTED_NAMES.has(type) ? quoted(name) : name}`;
  }

  /** The record the first time a sentence names it, "it" after that. */
  ref(): string {
    if (this.mentioned) return "it";
    this.mentioned = true;
    return this.record;
  }

  /** " of the vehicle ABC-123" for the first generic clause, when nothing named it yet. */
  of(): string {
    if (this.mentioned || this.options.onRecordPage) return "";
    this.mentioned = true;
    return ` of ${this.record}`;
  }

  value(value: unknown, field = ""): string {
    return valueText(value, this.event.names ?? {}, field);
  }

  after(field: string): unknown {
    return this.changes[field]?.after ?? null;
  }
}

type Phrase = (c: Ctx, change: Change) => string | null;

const has = (value: unknown) => value !== null && value !== undefined && value !== "";

function generic(c: Ctx, field: string, { before, after }: Change): string {
  const label = fieldLabel(field);
  if (!has(before)) return `set the ${label}${c.of()} to ${c.value(after, field)}`;
  if (!has(after)) return `cleared the ${label}${c.of()} (was ${c.value(before, field)})`;
  return `changed the ${label}${c.of()} from ${c.value(before, field)} to ${c.value(after, field)}`;
}

const detail = (c: Ctx, key: string): unknown => {
  const value = c.after("status_detail");
  return value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
};

const vehicleStatus: Phrase = (c, { before, after }) => {
  if (after === "in_maintenance") {
    const shop = detail(c, "shop");
    const back = detail(c, "expected_return");
    return (
      `put ${c.ref()} in maintenance` +
      (has(shop) ? ` at ${c.value(shop)}` : "") +
      (has(back) ? `, expected back ${c.value(back)}` : "")
    );
  }
  if (after === "retired") {
    const reason = detail(c, "reason");
    return `retired ${c.ref()}` + (has(reason) ? ` (${c.value(reason)})` : "");
  }
  if (after === "active" && before === "in_maintenance") return `brought ${c.ref()} back from maintenance`;
  if (after === "active") return `put ${c.ref()} back in service`;
  return null;
};

const moveToGroup: Phrase = (c, { before, after }) =>
  has(after)
    ? `moved ${c.ref()} to ${c.value(after, "group_id")}`
    : `took ${c.ref()} out of ${c.value(before, "group_id")}`;

/** entity type → field → its phrase; a field without one (or a null phrase) is generic. */
const PHRASES: Record<string, Record<string, Phrase>> = {
  vehicle: {
    group_id: moveToGroup,
    status: vehicleStatus,
    // told with the status when the status changed too
    status_detail: (c) => (c.changes.status ? "" : null),
  },
  driver: {
    group_id: moveToGroup,
    status: (c, { before, after }) => {
      if (after === "inactive") return `marked ${c.ref()} inactive`;
      if (after === "suspended") return `suspended ${c.ref()}`;
      if (after === "active" && has(before)) return `made ${c.ref()} active again`;
      return null;
    },
    assigned_vehicle_id: (c, { before, after }) =>
      has(after)
        ? `assigned ${c.ref()} to ${c.value(after, "vehicle_id")}`
        : `took ${c.ref()} off ${c.value(before, "vehicle_id")}`,
  },
  device: {
    vehicle_id: (c, { before, after }) =>
      has(after)
        ? `attached ${c.ref()} to ${c.value(after, "vehicle_id")}`
        : `detached ${c.ref()} from ${c.value(before, "vehicle_id")}`,
  },
  reservation: {
    status: (c, { after }) => {
      if (after === "cancelled") return `cancelled ${c.ref()}`;
      if (after === "confirmed") return `confirmed ${c.ref()}`;
      if (after === "completed") return `marked ${c.ref()} completed`;
      return null;
    },
    starts_at: (c) => {
      const ends = c.changes.ends_at;
      if (!ends) return null;
      return `moved ${c.ref()} to ${c.value(c.after("starts_at"))} – ${c.value(ends.after)}`;
    },
    ends_at: (c) => (c.changes.starts_at ? "" : null),
  },
  group: {
    parent_id: (c, { after }) =>
      has(after) ? `put ${c.ref()} under ${c.value(after, "parent_id")}` : `made ${c.ref()} a top-level group`,
  },
  webhook: {
    active: (c, { after }) => (after === true ? `resumed ${c.ref()}` : `paused ${c.ref()}`),
  },
  integration: {
    paused: (c, { after }) => (after === true ? `paused ${c.ref()}` : `resumed ${c.ref()}`),
    credentials: (c) => `replaced the credentials of ${c.ref()}`,
  },
  tenant: {
    name: (c, { before, after }) =>
      `renamed the organisation from ${c.value(before)} to ${c.value(after)}`,
  },
};

function clauses(c: Ctx): string[] {
  const own = PHRASES[c.event.entity_type] ?? {};
  const said: string[] = [];
  for (const [field, change] of Object.entries(c.changes)) {
    const phrase = own[field]?.(c, change);
    if (phrase === "") continue; // told by another field's phrase
    said.push(phrase ?? generic(c, field, change));
  }
  return said;
}

function joined(parts: string[]): string {
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

const created = (extra: (c: Ctx) => string) => (c: Ctx) => `added ${c.ref()}${extra(c)}`;
const updated = (c: Ctx) => joined(clauses(c)) || `saved ${c.ref()} without visible changes`;
const deleted = (c: Ctx) => `deleted ${c.ref()}`;
const when = (c: Ctx, field: string, words: (value: string) => string): string =>
  has(c.after(field)) ? words(c.value(c.after(field), field)) : "";

function booked(c: Ctx): string {
  const vehicle = has(c.after("vehicle_id")) ? c.value(c.after("vehicle_id"), "vehicle_id") : "a vehicle";
  const verb = c.after("status") === "requested" ? "asked to book" : "booked";
  return (
    `${verb} ${vehicle}` +
    when(c, "starts_at", (v) => ` from ${v}`) +
    when(c, "ends_at", (v) => ` to ${v}`) +
    when(c, "driver_id", (v) => ` for ${v}`) +
    when(c, "purpose", (v) => ` (${v})`)
  );
}

function alertOpened(c: Ctx): string {
  const severity = c.after("severity");
  const message = c.after("message") ?? c.event.entity_name;
  const article = severity === "critical" || severity === "warning" ? `a ${severity}` : "an";
  return (
    `raised ${article} alert` +
    (has(message) ? ` ${quoted(c.value(message, "message"))}` : "") +
    when(c, "vehicle_id", (v) => ` on ${v}`)
  );
}

/** A geofence visit's vehicle, as the events API names it. */
function visitor(c: Ctx): string {
  return has(c.after("vehicle_id")) ? c.value(c.after("vehicle_id"), "vehicle_id") : "a vehicle";
}

/** "12.4 km", from a trip's metres; empty when unknown. */
function distanceWords(c: Ctx): string {
  const metres = c.after("distance_m");
  return typeof metres === "number" ? ` of ${(metres / 1000).toFixed(1)} km` : "";
}

/** "harsh braking", from a driving event's kind. */
function drivingKind(c: Ctx): string {
  const kind = c.after("kind");
  return typeof kind === "string" ? humanize(kind).toLowerCase() : "a driving event";
}

/** One sentence per event type the API lists; tsc makes sure none is missing. */
/** A work order's status move in words; any other change as the generic clauses. */
function workOrderUpdated(c: Ctx): string {
  const status = c.after("status");
  if (status === "in_progress") return `started work on ${c.ref()}`;
  if (status === "completed") return `completed ${c.ref()}` + when(c, "total", (t) => ` (total ${t})`);
  if (status === "cancelled") return `cancelled ${c.ref()}`;
  return updated(c);
}

/** "changed the stock of the part Oil filter from 5 to 1.5" (a completed work order drew it). */
function partUpdated(c: Ctx): string {
  const stock = c.changes.quantity_on_hand;
  if (!stock) return updated(c);
  return `changed the stock of ${c.ref()} from ${c.value(stock.before)} to ${c.value(stock.after)}`;
}

/** "inspected the vehicle AB-123 before a trip: 2 defects" */
function inspectionSubmitted(c: Ctx): string {
  const kind = c.after("kind") === "post_trip" ? "after a trip" : "before a trip";
  const failed = c.after("failed_count");
  const outcome =
    typeof failed === "number" && failed > 0 ? `: ${failed} defect${failed === 1 ? "" : "s"}` : ": all passed";
  return "inspected" + when(c, "vehicle_id", (v) => ` ${v}`) + ` ${kind}${outcome}`;
}

export const SENTENCES: Record<EventTypeName, (c: Ctx) => string> = {
  vehicle_created: created((c) => when(c, "group_id", (g) => ` to ${g}`)),
  vehicle_updated: updated,
  vehicle_deleted: deleted,
  driver_created: created((c) => when(c, "assigned_vehicle_id", (v) => `, assigned to ${v}`)),
  driver_updated: updated,
  driver_deleted: deleted,
  device_created: created((c) => when(c, "vehicle_id", (v) => `, attached to ${v}`)),
  device_updated: updated,
  device_deleted: deleted,
  device_command_sent: (c) =>
    `sent the command ${quoted(c.value(c.after("command")))} to ${c.ref()}`,
  reservation_created: booked,
  reservation_updated: updated,
  reservation_deleted: deleted,
  group_created: (c) => `created ${c.ref()}` + when(c, "parent_id", (p) => ` under ${p}`),
  group_updated: updated,
  group_deleted: deleted,
  alert_opened: alertOpened,
  alert_cleared: (c) => `cleared ${c.ref()}`,
  alert_acknowledged: (c) => `acknowledged ${c.ref()}`,
  alert_assigned: (c) =>
    has(c.after("assigned_to"))
      ? `assigned ${c.ref()} to ${c.value(c.after("assigned_to"), "assigned_to")}`
      : `unassigned ${c.ref()}`,
  alert_commented: (c) =>
    `commented on ${c.ref()}` + when(c, "comment", (text) => `: ${quoted(text)}`),
  alert_escalated: (c) => `escalated ${c.ref()}, not acknowledged in time`,
  alert_rule_created: created((c) => when(c, "kind", (k) => ` for ${k} alerts`)),
  alert_rule_updated: updated,
  alert_rule_deleted: deleted,
  notification_channels_updated: (c) =>
    joined(clauses(c)) || "saved the notification channels without visible changes",
  notification_preferences_updated: () => "changed what they receive as notifications",
  push_subscription_created: () => "turned on push notifications on a device",
  push_subscription_deleted: () => "turned off push notifications on a device",
  member_created: (c) => `added ${c.ref()}` + when(c, "role", (r) => ` as ${r}`),
  member_updated: updated,
  member_deleted: (c) => `removed ${c.ref()} from the organisation`,
  api_key_created: (c) => `created ${c.ref()}` + when(c, "role", (r) => ` with the ${r} role`),
  api_key_revoked: (c) => `revoked ${c.ref()}`,
  webhook_created: created((c) => when(c, "event_types", (e) => ` for ${e}`)),
  webhook_updated: updated,
  webhook_deleted: deleted,
  webhook_secret_rotated: (c) => `rotated the signing secret of ${c.ref()}`,
  integration_created: created((c) => when(c, "provider", (p) => ` for ${p}`)),
  integration_updated: updated,
  integration_deleted: deleted,
  tenant_updated: updated,
  geofence_created: created(() => ""),
  geofence_updated: updated,
  geofence_deleted: deleted,
  geofence_entered: (c) => `saw ${visitor(c)} enter ${c.ref()}`,
  geofence_exited: (c) =>
    `saw ${visitor(c)} leave ${c.ref()}` + when(c, "duration_s", (s) => ` after ${s} s inside`),
  geofence_dwell: (c) =>
    `saw ${visitor(c)} stay in ${c.ref()}` + when(c, "dwell_minutes", (m) => ` over ${m} min`),
  geofence_speeding: (c) =>
    `saw ${visitor(c)} drive at ${c.value(c.after("max_speed_kmh"))} km/h in ${c.ref()}` +
    when(c, "limit_kmh", (l) => ` (limit ${l} km/h)`) +
    when(c, "duration_s", (s) => ` for ${s} s`),
  trip_started: (c) => `saw ${visitor(c)} start a trip`,
  trip_completed: (c) => `saw ${visitor(c)} finish a trip${distanceWords(c)}`,
  trip_updated: (c) => `worked out ${c.ref()} again from records that came late`,
  trip_deleted: (c) => `removed ${c.ref()}, joined to another by records that came late`,
  stop_started: (c) => `saw ${visitor(c)} stop`,
  stop_ended: (c) => `saw ${visitor(c)} drive on after a stop`,
  stop_updated: (c) => `worked out ${c.ref()} again from records that came late`,
  stop_deleted: (c) => `removed ${c.ref()}, joined to another by records that came late`,
  driving_event_recorded: (c) => `recorded ${drivingKind(c)} by ${visitor(c)}`,
  report_schedule_created: created(() => ""),
  report_schedule_updated: updated,
  report_schedule_deleted: deleted,
  report_run_succeeded: (c) => `sent ${c.ref()}` + when(c, "rows", (r) => ` (${r} rows)`),
  report_run_failed: (c) => `could not send ${c.ref()}`,
  service_schedule_created: created(() => ""),
  service_schedule_updated: updated,
  service_schedule_deleted: deleted,
  work_order_created: (c) => `opened ${c.ref()}` + when(c, "title", (t) => `: ${t}`),
  work_order_updated: workOrderUpdated,
  work_order_deleted: deleted,
  part_created: created((c) => when(c, "quantity_on_hand", (q) => ` with ${q} in stock`)),
  part_updated: partUpdated,
  part_deleted: deleted,
  inspection_template_created: created(() => ""),
  inspection_template_updated: updated,
  inspection_submitted: inspectionSubmitted,
  defect_reported: (c) =>
    `reported ${c.after("critical") ? "a critical defect" : "a defect"}` +
    when(c, "label", (l) => ` “${l}”`) +
    when(c, "vehicle_id", (v) => ` on ${v}`),
  defect_acknowledged: (c) => `acknowledged ${c.ref()}`,
  defect_work_order_created: (c) => `opened a work order for ${c.ref()}`,
  defect_signed_off: (c) =>
    (c.after("status") === "no_repair_needed" ? `signed off ${c.ref()}: no repair needed` : `signed off ${c.ref()} as repaired`) +
    when(c, "sign_off_note", (n) => ` (“${n}”)`),
  route_plan_created: (c) => `queued ${c.ref()} to be solved`,
  route_plan_solved: (c) => `solved ${c.ref()}`,
  route_plan_failed: (c) => `could not solve ${c.ref()}` + when(c, "error", (e) => ` (${e})`),
  route_plan_cancelled: (c) => `cancelled the solving of ${c.ref()}`,
  route_plan_routes_changed: (c) => `rearranged the routes of ${c.ref()}`,
  route_plan_updated: updated,
  route_plan_deleted: deleted,
  dispatch_created: (c) => `dispatched ${c.ref()}`,
  dispatch_updated: updated,
  dispatch_route_created: (c) =>
    `assigned ${c.ref()}` + when(c, "vehicle_id", (v) => ` to ${v}`) + when(c, "driver_id", (d) => ` and ${d}`),
  dispatch_route_updated: updated,
  dispatch_stop_updated: dispatchStopUpdated,
  dispatch_settings_updated: (c) => joined(clauses(c)) || "saved the dispatch tolerances without visible changes",
};

/** "completed the stop Market Hall", "could not serve the stop Market Hall". */
function dispatchStopUpdated(c: Ctx): string {
  const status = c.after("status");
  if (status === "arrived") return `arrived at ${c.ref()}`;
  if (status === "completed") return `completed ${c.ref()}`;
  if (status === "failed") return `could not serve ${c.ref()}` + when(c, "note", (n) => ` (“${n}”)`);
  return updated(c);
}

/** An event type this client does not know yet: "recorded “Trip started” for the trip T-1". */
function unknownType(c: Ctx): string {
  const prefix = `${c.event.entity_type}_`;
  const action = c.event.type.startsWith(prefix) ? c.event.type.slice(prefix.length) : c.event.type;
  const verb = { created: "created", updated: "changed", deleted: "deleted" }[action];
  const head = verb ? `${verb} ${c.ref()}` : `recorded ${quoted(humanize(c.event.type))} for ${c.ref()}`;
  const rest = clauses(c);
  return rest.length ? `${head}: ${joined(rest)}` : head;
}

/** "Dispatcher Anna Virtanen", "API key ‘Zapier sync’", "System". */
export function actorWords(actor: AuditEvent["actor"]): string {
  const name = actor.name || "Someone";
  if (actor.type === "api_key") return `API key ${quoted(name)}`;
  if (actor.type !== "user" || !actor.role) return name;
  const role = roleWords(actor.role);
  return name.toLowerCase().includes(role.toLowerCase()) ? name : `${role} ${name}`;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function describeEvent(event: AuditEvent, options: DescribeOptions = {}): Described {
  const c = new Ctx(event, options);
  const build = (SENTENCES as Record<string, ((c: Ctx) => string) | undefined>)[event.type];
  const action = (build ?? unknownType)(c);
  const actor = capitalised(actorWords(event.actor));
  return { actor, action, sentence: `${actor} ${action}.` };
}
