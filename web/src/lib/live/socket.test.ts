import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeSockets } from "@/test/fakeSocket";

import { Backoff, TokenBucket } from "./backoff";
import { LiveSocket } from "./socket";

const V1 = "00000000-0000-7000-8000-000000000001";
const V2 = "00000000-0000-7000-8000-000000000002";

function position(seq: number, vehicle = V1) {
  return {
    type: "vehicle.position",
    seq,
    payload: { positions: [{ seq, vehicle_id: vehicle, fix_time: "2026-01-01T00:00:00Z" }] },
  };
}

let fakes: ReturnType<typeof fakeSockets>;

function live(options: Partial<ConstructorParameters<typeof LiveSocket>[0]> = {}) {
  fakes = fakeSockets();
  const socket = new LiveSocket({
    url: "ws://app.test/api/v1/ws",
    createSocket: fakes.create,
    backoff: new Backoff(500, 30_000, () => 1),
    ...options,
  });
  socket.setTenant("tenant-a");
  return socket;
}

/** Let microtasks (the subscription flush) and due timers run. */
const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("Backoff", () => {
  it("doubles up to the cap, each wait in [½, 1] of it, and starts over on reset", () => {
    const low = new Backoff(500, 4000, () => 0);
    expect([1, 2, 3, 4, 5].map(() => low.nextDelay())).toEqual([250, 500, 1000, 2000, 2000]);
    const high = new Backoff(500, 4000, () => 1);
    expect([1, 2, 3, 4, 5].map(() => high.nextDelay())).toEqual([500, 1000, 2000, 4000, 4000]);
    high.reset();
    expect(high.nextDelay()).toBe(500);
    const jittered = new Backoff(1000, 30_000);
    for (let i = 0; i < 50; i += 1) {
      const delay = jittered.nextDelay();
      const ceiling = Math.min(30_000, 1000 * 2 ** i);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe("LiveSocket", () => {
  it("connects only once something is watched, then subscribes after the welcome", async () => {
    const socket = live();
    await settle();
    expect(fakes.sockets).toHaveLength(0);
    expect(socket.state).toBe("idle");

    socket.retain({ fleet: true });
    await settle();
    expect(fakes.last.url).toBe("ws://app.test/api/v1/ws");
    expect(socket.state).toBe("connecting");
    expect(fakes.last.sent).toEqual([]); // nothing before the welcome

    fakes.last.accept(900);
    await settle();
    expect(socket.state).toBe("open");
    expect(fakes.last.sent).toEqual([
      { type: "subscribe", id: "resubscribe", fleet: true, vehicles: [], groups: [] },
    ]);
  });

  it("reconnects with growing waits and resumes from the highest seq seen, not the welcome's", async () => {
    const socket = live();
    socket.retain({ fleet: true, vehicles: [V2] });
    await settle();
    fakes.last.accept(5000); // the welcome's seq is no resume point
    fakes.last.serverSends({ type: "subscribed", seq: 100, payload: { resumed: null } });
    fakes.last.serverSends(position(130));
    fakes.last.serverSends(position(120)); // lower numbers never move the point back
    expect(socket.lastSeq).toBe(130);

    fakes.last.drop(1006);
    expect(socket.state).toBe("reconnecting");
    await settle(499);
    expect(fakes.sockets).toHaveLength(1);
    await settle(1);
    expect(fakes.sockets).toHaveLength(2);

    fakes.last.drop(1006); // fails again before the welcome: the wait doubles
    await settle(999);
    expect(fakes.sockets).toHaveLength(2);
    await settle(1);
    expect(fakes.sockets).toHaveLength(3);

    fakes.last.accept(99_999);
    await settle();
    expect(fakes.last.sent).toEqual([
      {
        type: "subscribe",
        id: "resubscribe",
        fleet: true,
        vehicles: [V2],
        groups: [],
        since_seq: 130,
      },
    ]);
    // A resumed `subscribed` carries the stream's head, ahead of the replay that follows it.
    fakes.last.serverSends({ type: "subscribed", seq: 400, payload: { resumed: true } });
    fakes.last.serverSends(position(140));
    expect(socket.lastSeq).toBe(140);

    fakes.last.drop(1006); // the backoff started over after the welcome
    await settle(500);
    expect(fakes.sockets).toHaveLength(4);
  });

  it("queues what is sent while away, and sends it in order after the resubscribe", async () => {
    const socket = live();
    socket.retain({ fleet: true });
    await settle();
    fakes.last.accept();
    await settle();
    fakes.last.drop();
    socket.send({ type: "pong", id: "a" });
    socket.send({ type: "pong", id: "b" });
    await settle(500);
    fakes.last.accept();
    await settle();
    expect(fakes.last.sent.map((m) => `${m.type}${m.id ?? ""}`)).toEqual([
      "subscriberesubscribe",
      "ponga",
      "pongb",
    ]);
  });

  it("pings while connected, and starts again when the server goes silent", async () => {
    const socket = live({ pingEveryMs: 10_000, silenceMs: 25_000 });
    socket.retain({ fleet: true });
    await settle();
    fakes.last.accept();
    await settle(10_000);
    expect(fakes.last.sentOf("ping")).toHaveLength(1);
    fakes.last.serverSends({ type: "pong", seq: 1, payload: { id: null } });
    await settle(10_000);
    expect(fakes.last.sentOf("ping")).toHaveLength(2);
    // No answer for 25 s since the pong: the connection is dead though the browser didn't say so.
    await settle(14_999);
    expect(socket.state).toBe("open");
    await settle(1);
    expect(fakes.sockets[0]?.closedWith).toBe(4000);
    expect(socket.state).toBe("reconnecting");
    await settle(500);
    expect(fakes.sockets).toHaveLength(2);
  });

  it.each([4401, 4403])("stops retrying when closed with %i", async (code) => {
    const socket = live();
    socket.retain({ fleet: true });
    await settle();
    fakes.last.accept();
    fakes.last.drop(code);
    expect(socket.state).toBe("refused");
    await settle(120_000);
    expect(fakes.sockets).toHaveLength(1);
    // Another tenant (or a new session) is worth a try.
    socket.setTenant("tenant-b");
    await settle();
    expect(fakes.sockets).toHaveLength(2);
  });

  it("counts references: the server hears only the first retain and the last release", async () => {
    const socket = live();
    const releaseMap = socket.retain({ fleet: true });
    const releasePanel = socket.retain({ vehicles: [V1] });
    await settle();
    fakes.last.accept();
    await settle();
    const first = fakes.last.sent.length;

    const releaseList = socket.retain({ fleet: true, vehicles: [V1] });
    await settle();
    expect(fakes.last.sent.length).toBe(first); // already watched

    releaseMap();
    releaseList();
    await settle();
    expect(fakes.last.sent.slice(first)).toEqual([
      { type: "unsubscribe", fleet: true, vehicles: [], groups: [] },
    ]);

    // Unmount and mount again in one go (StrictMode, a re-render): nothing is sent.
    releasePanel();
    const again = socket.retain({ vehicles: [V1] });
    await settle();
    expect(fakes.last.sent.length).toBe(first + 1);

    again();
    again(); // twice is harmless
    await settle();
    expect(fakes.last.sent.at(-1)).toEqual({
      type: "unsubscribe",
      fleet: false,
      vehicles: [V1],
      groups: [],
    });
    expect(socket.stats().holders).toBe(0);
  });

  it("asks for the lowest interval held, and for the default again once it is let go", async () => {
    const socket = live();
    socket.retain({ fleet: true });
    await settle();
    fakes.last.accept();
    await settle();
    const fast = socket.retain({ vehicles: [V1], minIntervalMs: 0 });
    await settle();
    expect(fakes.last.sent.at(-1)).toEqual({
      type: "subscribe",
      fleet: false,
      vehicles: [V1],
      groups: [],
      min_interval_ms: 0,
    });
    fast();
    await settle();
    expect(fakes.last.sent.at(-1)).toMatchObject({ type: "subscribe", min_interval_ms: 1000 });
  });

  it("keeps under the server's rate limit however fast components come and go", async () => {
    const socket = live({ bucket: new TokenBucket(5, 2) });
    socket.retain({ fleet: true });
    await settle();
    fakes.last.accept();
    await settle();
    for (let i = 0; i < 40; i += 1) {
      const release = socket.retain({ vehicles: [`00000000-0000-7000-8000-${String(i).padStart(12, "0")}`] });
      await settle(10);
      release();
      await settle(10);
    }
    const sentIn800ms = fakes.last.sent.length;
    expect(sentIn800ms).toBeLessThanOrEqual(5 + 2);
    await settle(5000);
    // In the end the server was told exactly what is watched: the fleet, nothing else.
    expect(socket.stats().told).toEqual({ fleet: true, vehicles: 0, groups: 0 });
  });

  it("re-tells the whole subscription when the server refused a message for flooding", async () => {
    const socket = live();
    socket.retain({ fleet: true });
    await settle();
    fakes.last.accept();
    await settle();
    fakes.last.serverSends({
      type: "error",
      seq: 3,
      payload: { code: "rate_limited", message: "slow down", details: {} },
    });
    await settle(1000);
    expect(fakes.last.sent.slice(-2)).toEqual([
      { type: "unsubscribe", all: true, fleet: false, vehicles: [], groups: [] },
      { type: "subscribe", id: "resubscribe", fleet: true, vehicles: [], groups: [] },
    ]);
  });

  it("closes a while after the last subscription goes, and for another tenant starts afresh", async () => {
    const socket = live({ idleCloseMs: 30_000 });
    const release = socket.retain({ fleet: true });
    await settle();
    fakes.last.accept();
    fakes.last.serverSends(position(77));
    release();
    await settle(29_000);
    expect(fakes.last.closedWith).toBeNull();
    await settle(1000);
    expect(fakes.last.closedWith).toBe(1000);
    expect(socket.state).toBe("idle");

    socket.retain({ fleet: true });
    await settle();
    expect(fakes.sockets).toHaveLength(2);
    socket.setTenant("tenant-b");
    await settle();
    expect(fakes.sockets[1]?.closedWith).toBe(1000);
    fakes.last.accept();
    await settle();
    // Tenant A's numbers mean nothing in tenant B's stream.
    expect(fakes.last.sent[0]).not.toHaveProperty("since_seq");
  });

  it("asks the cache to resync when it reconnects with nothing to resume from", async () => {
    const socket = live();
    const signals: string[] = [];
    socket.onMessage((message) => signals.push(message.type));
    socket.retain({ fleet: true });
    await settle();
    fakes.last.accept();
    fakes.last.drop(); // before any numbered message
    await settle(500);
    fakes.last.accept();
    expect(signals).toEqual(["welcome", "resync_local", "welcome"]);
  });

  it("reports its state to listeners, and lets them go", async () => {
    const socket = live();
    const states: string[] = [];
    const stop = socket.onState((state) => states.push(state));
    socket.retain({ fleet: true });
    await settle();
    fakes.last.accept();
    fakes.last.drop();
    expect(states).toEqual(["connecting", "open", "reconnecting"]);
    stop();
    expect(socket.stats().stateListeners).toBe(0);
  });
});
