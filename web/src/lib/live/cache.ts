/**
 * The live feed's only job: keep the query cache current. Nothing else listens to the socket.
 *
 * - `vehicle.position`: folded into the fleet state and any cached vehicle state, batched
 *   per animation frame (a thousand vehicles a second cost one cache update a frame);
 * - `alert.opened` / `alert.cleared`: the open alerts list patched, cached alerts replaced,
 *   alert lists refetched (their filters are theirs to apply);
 * - record events (`vehicle_updated`, `driver_created`, …): the vehicle's fleet entry
 *   patched where the change says how, and the entity's queries invalidated;
 * - `notifications.released`: your own new in-app notifications (the server sends it to
 *   their receivers only): the bell's count and list fetched again at once;
 * - `resync_required`: the snapshot and everything live-fed fetched again.
 */
import type { Query, QueryClient, QueryKey } from "@tanstack/react-query";

import { ENTITY_ROOTS, liveKeys, type FleetState, type VehicleWithState } from "./keys";
import { applyPositions, isNewer, vehicleAfter } from "./positions";
import {
  isAlertMessage,
  isNotificationsReleased,
  isPositionMessage,
  isRecordEvent,
  type Alert,
  type LivePosition,
  type RecordEvent,
  type ServerMessage,
} from "./protocol";
import type { MessageListener } from "./socket";
import { Timings } from "./timing";

/** Run `task` soon (once); returns a cancel. */
export type Scheduler = (task: () => void) => () => void;

/** The next animation frame, or a quarter second when the tab is hidden (no frames then). */
export const frameScheduler: Scheduler = (task) => {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    if (frame !== null) cancelAnimationFrame(frame);
    clearTimeout(timer);
    task();
  };
  const frame = typeof requestAnimationFrame === "function" ? requestAnimationFrame(run) : null;
  const timer = setTimeout(run, 250);
  return () => {
    done = true;
    if (frame !== null) cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
};

export interface FeedOptions {
  schedule?: Scheduler;
  /** A snapshot refetch (new or unknown vehicles) happens at most this often. */
  snapshotEveryMs?: number;
}

interface Source {
  onMessage(listener: MessageListener): () => void;
}

const sameKey = (a: QueryKey, b: QueryKey) =>
  a.length === b.length && a.every((part, i) => part === b[i]);
const startsWith = (key: QueryKey, prefix: QueryKey) => prefix.every((part, i) => key[i] === part);

function isAlertQuery(query: Query): boolean {
  const key = query.queryKey;
  return startsWith(key, liveKeys.alerts()) || (key[0] === "vehicles" && key[1] === "alerts");
}

/** Fields of a vehicle_updated change that the fleet state carries. */
function patchVehicle(vehicle: VehicleWithState, event: RecordEvent): VehicleWithState {
  const patch: Partial<VehicleWithState> = {};
  const after = (field: string) => event.changes[field]?.after;
  if ("plate" in event.changes) patch.plate = (after("plate") as string | null) ?? null;
  if ("name" in event.changes) patch.name = (after("name") as string | null) ?? null;
  if ("group_id" in event.changes) patch.group_id = (after("group_id") as string | null) ?? null;
  if ("status" in event.changes) {
    const status = after("status");
    const state = typeof status === "string" ? status : (status as { state?: string } | null)?.state;
    if (state) patch.status = state;
  }
  return Object.keys(patch).length ? { ...vehicle, ...patch } : vehicle;
}

export class QueryCacheFeed {
  private readonly schedule: Scheduler;
  private readonly snapshotEveryMs: number;
  private pending = new Map<string, LivePosition>();
  /** The newest position of each vehicle: put back after a snapshot that arrived stale. */
  private readonly latest = new Map<string, LivePosition>();
  private cancelFrame: (() => void) | null = null;
  private snapshotTimer: ReturnType<typeof setTimeout> | null = null;
  private lastSnapshotAt = -Infinity;
  private readonly stops: (() => void)[] = [];
  /** How long each frame's cache update takes (browser tests report it). */
  readonly timings = new Timings();

  constructor(
    private readonly client: QueryClient,
    options: FeedOptions = {},
  ) {
    this.schedule = options.schedule ?? frameScheduler;
    this.snapshotEveryMs = options.snapshotEveryMs ?? 2000;
    this.stops.push(
      client.getQueryCache().subscribe((event) => {
        const fetched = event.type === "updated" && event.action.type === "success";
        if (fetched && sameKey(event.query.queryKey, liveKeys.fleetState())) this.reapplyLatest();
      }),
    );
  }

  /** Listen to `source`; returns the function that stops listening. */
  attach(source: Source): () => void {
    const stop = source.onMessage(this.receive);
    this.stops.push(stop);
    return stop;
  }

  /** Forget everything (another tenant). */
  reset(): void {
    this.pending.clear();
    this.latest.clear();
    this.cancelFrame?.();
    this.cancelFrame = null;
  }

  dispose(): void {
    this.reset();
    for (const stop of this.stops.splice(0)) stop();
    if (this.snapshotTimer !== null) clearTimeout(this.snapshotTimer);
  }

  readonly receive: MessageListener = (message) => {
    if (message.type === "resync_required" || message.type === "resync_local") {
      this.resync();
      return;
    }
    const received = message as ServerMessage;
    if (isPositionMessage(received)) {
      for (const position of received.payload.positions) this.takePosition(position);
    } else if (isAlertMessage(received)) {
      this.applyAlert(received.payload);
    } else if (isNotificationsReleased(received)) {
      for (const queryKey of [liveKeys.notificationList(), liveKeys.unreadNotifications()])
        void this.client.invalidateQueries({ queryKey });
    } else if (isRecordEvent(received)) {
      this.applyRecordEvent(received.payload);
    }
  };

  // positions -------------------------------------------------------------------------------
  private takePosition(position: LivePosition): void {
    const known = this.latest.get(position.vehicle_id);
    if (known && Date.parse(known.fix_time) >= Date.parse(position.fix_time)) return;
    this.latest.set(position.vehicle_id, position);
    this.pending.set(position.vehicle_id, position);
    this.cancelFrame ??= this.schedule(() => {
      this.cancelFrame = null;
      this.flushPositions();
    });
  }

  private reapplyLatest(): void {
    if (!this.latest.size) return;
    for (const [vehicleId, position] of this.latest) this.pending.set(vehicleId, position);
    this.cancelFrame ??= this.schedule(() => {
      this.cancelFrame = null;
      this.flushPositions();
    });
  }

  /** Apply what came since the last frame: one fleet update, and each cached vehicle state. */
  flushPositions(): void {
    const positions = this.pending;
    if (!positions.size) return;
    this.pending = new Map();
    this.timings.time(() => this.apply(positions));
  }

  private apply(positions: Map<string, LivePosition>): void {
    const fleet = this.client.getQueryData<FleetState>(liveKeys.fleetState());
    if (fleet) {
      const result = applyPositions(fleet, positions.values());
      if (result.changed) this.client.setQueryData(liveKeys.fleetState(), result.fleet);
      if (result.missing.length) this.refetchSnapshot(); // a vehicle we don't know yet
    }
    const states = this.client.getQueryCache().findAll({ queryKey: ["vehicles", "state"] });
    for (const query of states) {
      const position = positions.get(String(query.queryKey[2]));
      const data = query.state.data as VehicleWithState | undefined;
      if (position && data && isNewer(position, data.state)) {
        this.client.setQueryData(query.queryKey, vehicleAfter(data, position));
      }
    }
  }

  private refetchSnapshot(): void {
    if (this.snapshotTimer !== null) return;
    const wait = Math.max(0, this.lastSnapshotAt + this.snapshotEveryMs - Date.now());
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = null;
      this.lastSnapshotAt = Date.now();
      void this.client.invalidateQueries({ queryKey: liveKeys.fleetState(), exact: true });
    }, wait);
  }

  // alerts ----------------------------------------------------------------------------------
  private applyAlert(alert: Alert): void {
    this.client.setQueryData<Alert[]>(liveKeys.openAlerts(), (open) => {
      if (!open) return open;
      const others = open.filter((item) => item.id !== alert.id);
      return alert.state === "open" ? [alert, ...others] : others;
    });
    const queries = this.client.getQueryCache().findAll({ predicate: isAlertQuery });
    for (const query of queries) {
      if (sameKey(query.queryKey, liveKeys.openAlerts())) continue;
      const data = query.state.data as { items?: Alert[]; id?: string } | undefined;
      if (data?.items?.some((item) => item.id === alert.id)) {
        const items = data.items.map((item) => (item.id === alert.id ? alert : item));
        this.client.setQueryData(query.queryKey, { ...data, items });
      } else if (data?.id === alert.id) {
        this.client.setQueryData(query.queryKey, alert);
      }
    }
    // Lists with filters decide for themselves whether the alert belongs in them.
    void this.client.invalidateQueries({
      predicate: (query) => isAlertQuery(query) && !sameKey(query.queryKey, liveKeys.openAlerts()),
    });
  }

  // record events ---------------------------------------------------------------------------
  private applyRecordEvent(event: RecordEvent): void {
    if (event.entity_type === "vehicle") {
      if (event.type.endsWith("_updated")) {
        this.client.setQueryData<FleetState>(liveKeys.fleetState(), (fleet) =>
          fleet?.map((vehicle) =>
            vehicle.vehicle_id === event.entity_id ? patchVehicle(vehicle, event) : vehicle,
          ),
        );
      } else {
        this.refetchSnapshot(); // created or deleted: the snapshot says who is there
      }
    }
    const root = ENTITY_ROOTS[event.entity_type];
    if (root) void this.client.invalidateQueries({ queryKey: [root] });
  }

  // resync ----------------------------------------------------------------------------------
  private resync(): void {
    this.lastSnapshotAt = Date.now();
    for (const queryKey of [liveKeys.fleetState(), liveKeys.alerts(), ["vehicles", "state"]]) {
      void this.client.invalidateQueries({ queryKey });
    }
    void this.client.invalidateQueries({ queryKey: ["vehicles", "alerts"] });
  }
}

/** Keep `client` current from `source` until the returned function is called. */
export function feedQueryCache(source: Source, client: QueryClient, options?: FeedOptions) {
  const feed = new QueryCacheFeed(client, options);
  feed.attach(source);
  return feed;
}
