/**
 * What the components on screen want to watch, reference-counted: two panels watching the
 * same vehicle hold two references, and the server hears "unsubscribe" only when the last
 * one lets go. `Subscriptions.diff` turns the wish into the few messages that bring the
 * connection from what it was told to what is wanted.
 */
import {
  DEFAULT_INTERVAL_MS,
  type SubscribeMessage,
  type UnsubscribeMessage,
} from "./protocol";

export interface LiveSpec {
  fleet?: boolean;
  vehicles?: readonly string[];
  groups?: readonly string[];
  /** At most one position per vehicle per this many ms (the connection takes the lowest asked). */
  minIntervalMs?: number;
}

/** A whole subscription, as sent on a (re)connect. */
export interface SubscriptionState {
  fleet: boolean;
  vehicles: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  /** null: the server's default. */
  minIntervalMs: number | null;
}

export const EMPTY_STATE: SubscriptionState = {
  fleet: false,
  vehicles: new Set(),
  groups: new Set(),
  minIntervalMs: null,
};

function add(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

export class Subscriptions {
  private fleet = 0;
  private readonly vehicles = new Map<string, number>();
  private readonly groups = new Map<string, number>();
  private readonly intervals = new Map<string, number>();
  private holders = 0;

  /** Hold `spec` until the returned function is called (calling it twice is harmless). */
  retain(spec: LiveSpec): () => void {
    this.apply(spec, 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.apply(spec, -1);
    };
  }

  private apply(spec: LiveSpec, by: 1 | -1): void {
    this.holders += by;
    if (spec.fleet) this.fleet += by;
    for (const id of new Set(spec.vehicles ?? [])) add(this.vehicles, id, by);
    for (const id of new Set(spec.groups ?? [])) add(this.groups, id, by);
    if (spec.minIntervalMs !== undefined) add(this.intervals, String(spec.minIntervalMs), by);
  }

  /** How many retains are held (for leak checks). */
  get holderCount(): number {
    return this.holders;
  }

  get empty(): boolean {
    return this.fleet === 0 && this.vehicles.size === 0 && this.groups.size === 0;
  }

  /** What is wanted now. */
  state(): SubscriptionState {
    const intervals = [...this.intervals.keys()].map(Number);
    return {
      fleet: this.fleet > 0,
      vehicles: new Set(this.vehicles.keys()),
      groups: new Set(this.groups.keys()),
      minIntervalMs: intervals.length ? Math.min(...intervals) : null,
    };
  }
}

const sorted = (values: Iterable<string>) => [...values].sort();
const minus = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a].filter((x) => !b.has(x));

/** The whole subscription as one message (a reconnect sends this, resuming after `sinceSeq`). */
export function wholeSubscription(state: SubscriptionState, sinceSeq: number | null): SubscribeMessage {
  const message: SubscribeMessage = {
    type: "subscribe",
    id: "resubscribe",
    fleet: state.fleet,
    vehicles: sorted(state.vehicles),
    groups: sorted(state.groups),
  };
  if (state.minIntervalMs !== null) message.min_interval_ms = state.minIntervalMs;
  if (sinceSeq !== null) message.since_seq = sinceSeq;
  return message;
}

/** The messages that take a connection told `told` to `wanted`: unsubscribe first, then subscribe. */
export function diff(
  told: SubscriptionState,
  wanted: SubscriptionState,
): (SubscribeMessage | UnsubscribeMessage)[] {
  const messages: (SubscribeMessage | UnsubscribeMessage)[] = [];
  const gone = {
    fleet: told.fleet && !wanted.fleet,
    vehicles: sorted(minus(told.vehicles, wanted.vehicles)),
    groups: sorted(minus(told.groups, wanted.groups)),
  };
  if (gone.fleet || gone.vehicles.length || gone.groups.length) {
    messages.push({ type: "unsubscribe", ...gone });
  }
  const added = {
    fleet: wanted.fleet && !told.fleet,
    vehicles: sorted(minus(wanted.vehicles, told.vehicles)),
    groups: sorted(minus(wanted.groups, told.groups)),
  };
  // Back to the server's default once nobody asks for another interval.
  const interval = wanted.minIntervalMs ?? (told.minIntervalMs === null ? null : DEFAULT_INTERVAL_MS);
  const intervalChanged = interval !== null && interval !== (told.minIntervalMs ?? DEFAULT_INTERVAL_MS);
  if (added.fleet || added.vehicles.length || added.groups.length || intervalChanged) {
    const message: SubscribeMessage = { type: "subscribe", ...added };
    if (intervalChanged) message.min_interval_ms = interval;
    messages.push(message);
  }
  return messages;
}
