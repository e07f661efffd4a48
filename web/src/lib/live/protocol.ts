/**
 * The live protocol's messages (docs/realtime.md; JSON Schema at GET /api/v1/live/schema,
 * written by src/fleetyard/realtime/messages.py). Every server message is
 * `{type, seq, ts, payload}`; `seq` numbers the tenant's stream.
 */
import type { Schemas } from "@/lib/api";

export type Alert = Schemas["Alert"];

export interface LivePosition {
  seq: number;
  vehicle_id: string;
  device_id: string;
  fix_time: string;
  server_time: string;
  latitude: number;
  longitude: number;
  speed_kmh: number | null;
  course: number | null;
  altitude_m: number | null;
  satellites: number | null;
  ignition: boolean | null;
  odometer_m: number | null;
  /** Named readings: rpm, coolant_temp_c, fuel_level_pct, dtcs, … */
  attributes: Record<string, unknown>;
}

/** A change from the event log (`vehicle_updated`, `reservation_created`, …). */
export interface RecordEvent {
  id: number;
  type: string;
  entity_type: string;
  entity_id: string;
  occurred_at: string | null;
  actor_type: string;
  actor_id: string | null;
  changes: Record<string, { before?: unknown; after?: unknown }>;
}

export interface SubscribedPayload {
  id: string | null;
  fleet: boolean;
  vehicles: string[];
  groups: string[];
  min_interval_ms: number;
  resumed?: boolean | null;
}

interface Message<T extends string, P> {
  type: T;
  seq: number;
  ts: string;
  payload: P;
}

export type WelcomeMessage = Message<
  "welcome",
  { tenant_id: string; connection_id: string; heartbeat_s: number; batch_ms: number; schema_url: string }
>;
export type PositionMessage = Message<"vehicle.position", { positions: LivePosition[] }>;
export type AlertMessage = Message<"alert.opened" | "alert.cleared", Alert>;
export type ResyncMessage = Message<"resync_required", { reason: string; snapshot: string }>;
export type ErrorMessage = Message<
  "error",
  { code: string; message: string; details: Record<string, unknown> }
>;
export type ControlMessage =
  | WelcomeMessage
  | Message<"subscribed" | "unsubscribed", SubscribedPayload>
  | Message<"heartbeat", Record<string, never>>
  | Message<"pong", { id: string | null }>
  | ErrorMessage;
/** Any event of the event log, typed by its name. */
export type RecordEventMessage = Message<string, RecordEvent>;
export type NotificationsReleasedMessage = Message<"notifications.released", Record<string, never>>;

export type ServerMessage =
  | ControlMessage
  | PositionMessage
  | AlertMessage
  | ResyncMessage
  | NotificationsReleasedMessage
  | RecordEventMessage;

/** What a client asks for (`subscribe` and `unsubscribe` carry the same lists). */
export interface SubscribeMessage {
  type: "subscribe";
  id?: string;
  fleet: boolean;
  vehicles: string[];
  groups: string[];
  min_interval_ms?: number;
  since_seq?: number;
}

export interface UnsubscribeMessage {
  type: "unsubscribe";
  id?: string;
  fleet: boolean;
  vehicles: string[];
  groups: string[];
  all?: boolean;
}

export type ClientMessage =
  | SubscribeMessage
  | UnsubscribeMessage
  | { type: "ping"; id?: string }
  | { type: "pong"; id?: string };

/** Close codes retrying will not fix: the session is gone or may not watch. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403]);
/** The server's throttle when a subscription names none. */
export const DEFAULT_INTERVAL_MS = 1000;

/** Your own in-app notifications came (no payload: the app reads them through the API). */
export const NOTIFICATIONS_RELEASED = "notifications.released";

export function isNotificationsReleased(message: ServerMessage): message is NotificationsReleasedMessage {
  return message.type === NOTIFICATIONS_RELEASED;
}

export function isPositionMessage(message: ServerMessage): message is PositionMessage {
  return message.type === "vehicle.position";
}

export function isAlertMessage(message: ServerMessage): message is AlertMessage {
  return message.type === "alert.opened" || message.type === "alert.cleared";
}

const CONTROL_TYPES = new Set(["welcome", "subscribed", "unsubscribed", "heartbeat", "pong", "error"]);

/** A record event: any type that is not a control, position, alert or resync message. */
export function isRecordEvent(message: ServerMessage): message is RecordEventMessage {
  return (
    !CONTROL_TYPES.has(message.type) &&
    !isPositionMessage(message) &&
    !isAlertMessage(message) &&
    !isNotificationsReleased(message) &&
    message.type !== "resync_required"
  );
}

/** A server frame's text → a message, or null when it isn't one. */
export function parseMessage(text: unknown): ServerMessage | null {
  if (typeof text !== "string") return null;
  try {
    const data = JSON.parse(text) as Partial<ServerMessage> | null;
    if (!data || typeof data.type !== "string" || typeof data.seq !== "number") return null;
    return data as ServerMessage;
  } catch {
    return null;
  }
}
