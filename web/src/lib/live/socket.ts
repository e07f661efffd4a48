/**
 * The browser's live connection (docs/realtime.md), the TypeScript twin of the Python
 * `fleetyard.client.LiveClient`:
 *
 * - connects with the session cookie (same origin), only while someone holds a subscription
 *   and a tenant is chosen, and closes a while after the last one lets go;
 * - reconnects with exponential backoff and jitter, and sends its whole subscription again
 *   with `since_seq` = the highest `seq` it saw (never the `welcome`'s), so the server
 *   replays what was missed or answers `resync_required`;
 * - queues what is `send`-ed while disconnected (bounded, oldest dropped);
 * - pings so a quiet connection is not taken for dead, and drops one that went silent;
 * - stops retrying when the server refuses who we are (4401/4403).
 *
 * It knows nothing of React or of the query cache: listeners get every message.
 */
import { Backoff, TokenBucket } from "./backoff";
import {
  FATAL_CLOSE_CODES,
  parseMessage,
  type ClientMessage,
  type ErrorMessage,
  type ServerMessage,
  type SubscribedPayload,
} from "./protocol";
import {
  diff,
  EMPTY_STATE,
  Subscriptions,
  wholeSubscription,
  type LiveSpec,
  type SubscriptionState,
} from "./subscriptions";

export type LiveState =
  /** nobody watches, or no tenant: no connection */
  | "idle"
  | "connecting"
  | "open"
  /** lost; waiting before the next try */
  | "reconnecting"
  /** the server refused who we are: no more tries until the tenant or session changes */
  | "refused";

/** Something the cache must do that is not a server message. */
export type LiveSignal =
  /** Missed messages can't be replayed (a reconnect with nothing to resume from). */
  { type: "resync_local"; reason: string };

export type MessageListener = (message: ServerMessage | LiveSignal) => void;
export type StateListener = (state: LiveState) => void;

/** The parts of the browser's WebSocket we use (a fake one in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface LiveSocketOptions {
  url: string;
  createSocket?: SocketFactory;
  backoff?: Backoff;
  bucket?: TokenBucket;
  pingEveryMs?: number;
  /** No message for this long: the connection is dead even if the browser doesn't know. */
  silenceMs?: number;
  welcomeTimeoutMs?: number;
  /** Close this long after the last subscription is let go. */
  idleCloseMs?: number;
  maxQueuedSends?: number;
}

const OPEN = 1;
const CLOSE_NORMAL = 1000;
const CLOSE_STALE = 4000; // ours: nothing heard for too long

export function liveUrl(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/api/v1/ws`;
}

export class LiveSocket {
  readonly url: string;
  private readonly createSocket: SocketFactory;
  private readonly backoff: Backoff;
  private readonly bucket: TokenBucket;
  private readonly pingEveryMs: number;
  private readonly silenceMs: number;
  private readonly welcomeTimeoutMs: number;
  private readonly idleCloseMs: number;
  private readonly maxQueuedSends: number;

  private readonly subscriptions = new Subscriptions();
  private readonly messageListeners = new Set<MessageListener>();
  private readonly stateListeners = new Set<StateListener>();
  private outbox: string[] = [];

  private socket: SocketLike | null = null;
  private tenant: string | null = null;
  private current: LiveState = "idle";
  private welcomed = false;
  private told: SubscriptionState = EMPTY_STATE;
  private forceWhole = false;
  /** Highest seq seen in this tenant's stream (the resume point). */
  private lastSeqSeen: number | null = null;
  /** Connections that reached `welcome`, in this tenant. */
  private connectionCount = 0;
  private everSubscribed = false;

  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private silenceTimer: ReturnType<typeof setTimeout> | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushQueued = false;

  /** Counters, for tests and the debug handle. */
  readonly counters = { connects: 0, messages: 0, sent: 0, pings: 0 };

  constructor(options: LiveSocketOptions) {
    this.url = options.url;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url) as SocketLike);
    this.backoff = options.backoff ?? new Backoff();
    this.bucket = options.bucket ?? new TokenBucket();
    this.pingEveryMs = options.pingEveryMs ?? 15_000;
    this.silenceMs = options.silenceMs ?? 3 * this.pingEveryMs;
    this.welcomeTimeoutMs = options.welcomeTimeoutMs ?? 10_000;
    this.idleCloseMs = options.idleCloseMs ?? 30_000;
    this.maxQueuedSends = options.maxQueuedSends ?? 1000;
  }

  // what is watched ---------------------------------------------------------------------------
  get state(): LiveState {
    return this.current;
  }

  get lastSeq(): number | null {
    return this.lastSeqSeen;
  }

  /** Watch `spec` until the returned function is called. */
  retain(spec: LiveSpec): () => void {
    const release = this.subscriptions.retain(spec);
    this.subscriptionsChanged();
    return () => {
      release();
      this.subscriptionsChanged();
    };
  }

  /** Which tenant's stream to watch (null: signed out or none picked). */
  setTenant(tenant: string | null): void {
    if (tenant === this.tenant) return;
    this.tenant = tenant;
    // Another tenant's numbers mean nothing here.
    this.lastSeqSeen = null;
    this.connectionCount = 0;
    this.everSubscribed = false;
    this.outbox = [];
    this.backoff.reset();
    this.disconnect();
    this.setState("idle");
    this.reconcile();
  }

  /** Send now, or once connected (the oldest are dropped past `maxQueuedSends`). */
  send(message: ClientMessage): void {
    const text = JSON.stringify(message);
    if (this.isOpen() && this.bucket.take()) {
      this.write(text);
      return;
    }
    this.outbox.push(text);
    if (this.outbox.length > this.maxQueuedSends) this.outbox.shift();
    if (this.isOpen()) this.scheduleFlush(this.bucket.waitMs());
    else this.reconcile();
  }

  onMessage(listener: MessageListener): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Close for good (the app is going away). */
  dispose(): void {
    this.tenant = null;
    this.disconnect();
    this.clearTimer("idleTimer");
    this.setState("idle");
  }

  /** Try again at once (the browser came back online). */
  retryNow(): void {
    if (this.current !== "reconnecting") return;
    this.backoff.reset();
    this.clearTimer("retryTimer");
    this.connect();
  }

  stats() {
    const wanted = this.subscriptions.state();
    return {
      state: this.current,
      lastSeq: this.lastSeqSeen,
      holders: this.subscriptions.holderCount,
      wanted: { fleet: wanted.fleet, vehicles: wanted.vehicles.size, groups: wanted.groups.size },
      told: { fleet: this.told.fleet, vehicles: this.told.vehicles.size, groups: this.told.groups.size },
      messageListeners: this.messageListeners.size,
      stateListeners: this.stateListeners.size,
      queued: this.outbox.length,
      ...this.counters,
    };
  }

  // the connection --------------------------------------------------------------------------
  private isOpen(): boolean {
    return this.socket !== null && this.welcomed && this.socket.readyState === OPEN;
  }

  private setState(state: LiveState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }

  private subscriptionsChanged(): void {
    if (!this.subscriptions.empty) this.everSubscribed = true;
    this.reconcile();
    if (this.isOpen()) this.scheduleFlush(0);
  }

  /** Connect when wanted, or plan to close when nobody watches any more. */
  private reconcile(): void {
    const wanted = this.tenant !== null && (!this.subscriptions.empty || this.outbox.length > 0);
    if (wanted) {
      this.clearTimer("idleTimer");
      if (this.socket === null && this.current !== "reconnecting" && this.current !== "refused") {
        this.connect();
      }
      return;
    }
    if (this.tenant === null) return;
    if ((this.socket !== null || this.current === "reconnecting") && this.idleTimer === null) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        if (this.subscriptions.empty) {
          this.disconnect();
          this.setState("idle");
        }
      }, this.idleCloseMs);
    }
  }

  private connect(): void {
    this.clearTimer("retryTimer");
    this.welcomed = false;
    this.told = EMPTY_STATE;
    this.setState("connecting");
    this.counters.connects += 1;
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => this.receive(socket, event.data);
    socket.onclose = (event) => this.closed(socket, event.code);
    socket.onerror = () => {}; // a close follows
    this.armSilence(this.welcomeTimeoutMs);
  }

  /** Drop the connection without retrying. */
  private disconnect(): void {
    for (const timer of ["retryTimer", "pingTimer", "silenceTimer", "flushTimer"] as const) {
      this.clearTimer(timer);
    }
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    this.told = EMPTY_STATE;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close(CLOSE_NORMAL, "client_closed");
      } catch {
        // already closing
      }
    }
  }

  private closed(socket: SocketLike, code: number): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.welcomed = false;
    this.told = EMPTY_STATE;
    this.clearTimer("pingTimer");
    this.clearTimer("silenceTimer");
    this.clearTimer("flushTimer");
    if (FATAL_CLOSE_CODES.has(code)) {
      this.setState("refused");
      return;
    }
    if (this.tenant === null) {
      this.setState("idle");
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.socket = null;
    this.setState("reconnecting");
    this.clearTimer("retryTimer");
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      const wanted = !this.subscriptions.empty || this.outbox.length > 0;
      if (this.tenant !== null && wanted) this.connect();
      else this.setState("idle");
    }, this.backoff.nextDelay());
  }

  private receive(socket: SocketLike, data: unknown): void {
    if (socket !== this.socket) return;
    this.armSilence(this.silenceMs);
    const message = parseMessage(data);
    if (!message) return;
    this.counters.messages += 1;
    if (message.type === "welcome") {
      this.greet(socket);
    } else {
      this.advance(message);
    }
    if (message.type === "error" && (message as ErrorMessage).payload.code === "rate_limited") {
      // Something we sent was dropped: tell the whole subscription again.
      this.forceWhole = true;
      this.scheduleFlush(1000);
    }
    for (const listener of [...this.messageListeners]) listener(message);
  }

  /** The resume point: every message's seq but the welcome's (a fresh connection has watched
   * nothing yet), and not a resumed `subscribed` (its seq is ahead of the replay behind it). */
  private advance(message: ServerMessage): void {
    if (message.type === "subscribed" && (message.payload as SubscribedPayload).resumed) return;
    if (message.seq > 0 && (this.lastSeqSeen === null || message.seq > this.lastSeqSeen)) {
      this.lastSeqSeen = message.seq;
    }
  }

  /** After the welcome: the whole subscription (resuming), then what waited. */
  private greet(socket: SocketLike): void {
    this.welcomed = true;
    this.connectionCount += 1;
    const wanted = this.subscriptions.state();
    if (!this.subscriptions.empty) {
      const resuming = this.connectionCount > 1 ? this.lastSeqSeen : null;
      if (this.connectionCount > 1 && resuming === null && this.everSubscribed) {
        this.emit({ type: "resync_local", reason: "nothing_to_resume_from" });
      }
      this.bucket.spend();
      this.write(JSON.stringify(wholeSubscription(wanted, resuming)), socket);
      this.told = wanted;
    }
    this.setState("open");
    this.backoff.reset();
    this.clearTimer("pingTimer");
    this.pingTimer = setInterval(() => this.ping(), this.pingEveryMs);
    this.scheduleFlush(0);
  }

  private ping(): void {
    if (!this.isOpen()) return;
    this.counters.pings += 1;
    this.bucket.spend(); // pings count against the server's limit too; never skipped
    this.write('{"type":"ping"}');
  }

  private emit(signal: LiveSignal): void {
    for (const listener of [...this.messageListeners]) listener(signal);
  }

  private armSilence(ms: number): void {
    this.clearTimer("silenceTimer");
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = null;
      const socket = this.socket;
      if (!socket) return;
      // Heard nothing (not even a pong): the connection is gone; start again.
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close(CLOSE_STALE, "silent");
      } catch {
        // nothing to close
      }
      this.socket = null;
      this.welcomed = false;
      this.clearTimer("pingTimer");
      this.scheduleReconnect();
    }, ms);
  }

  // sending ---------------------------------------------------------------------------------
  private write(text: string, socket = this.socket): void {
    if (!socket) return;
    try {
      socket.send(text);
      this.counters.sent += 1;
    } catch {
      // the close event follows
    }
  }

  private scheduleFlush(delayMs: number): void {
    if (delayMs <= 0) {
      if (this.flushQueued) return;
      this.flushQueued = true;
      // A microtask: a component that unmounts and mounts again in one go sends nothing.
      queueMicrotask(() => {
        this.flushQueued = false;
        this.flush();
      });
      return;
    }
    if (this.flushTimer !== null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, delayMs);
  }

  /** Bring the server up to what is wanted, then send what waited, within the rate limit. */
  private flush(): void {
    if (!this.isOpen()) return;
    const wanted = this.subscriptions.state();
    // After a refused message we can't know what the server holds: start it from nothing.
    const messages: ClientMessage[] = this.forceWhole
      ? [
          { type: "unsubscribe", all: true, fleet: false, vehicles: [], groups: [] },
          wholeSubscription(wanted, null),
        ]
      : diff(this.told, wanted);
    if (messages.length && !this.bucket.take(messages.length)) {
      // All or nothing, so what the server was told stays known.
      this.scheduleFlush(this.bucket.waitMs(messages.length));
      return;
    }
    for (const message of messages) this.write(JSON.stringify(message));
    this.forceWhole = false;
    this.told = wanted;
    while (this.outbox.length) {
      if (!this.bucket.take()) {
        this.scheduleFlush(this.bucket.waitMs());
        return;
      }
      this.write(this.outbox.shift() as string);
    }
    this.reconcile();
  }

  private clearTimer(
    name: "retryTimer" | "idleTimer" | "pingTimer" | "silenceTimer" | "flushTimer",
  ): void {
    const timer = this[name];
    if (timer === null) return;
    if (name === "pingTimer") clearInterval(timer);
    else clearTimeout(timer);
    this[name] = null;
  }
}
