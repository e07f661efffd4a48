import { act, render } from "@testing-library/react";
import { StrictMode, useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeSockets } from "@/test/fakeSocket";

import { LiveProvider, useLiveState, useLiveSubscription } from "./react";
import { LiveSocket } from "./socket";

const V1 = "00000000-0000-7000-8000-000000000001";

function Watcher({ vehicle }: { vehicle?: string }) {
  useLiveSubscription(vehicle ? { vehicles: [vehicle] } : { fleet: true });
  const state = useLiveState();
  return <p>{state}</p>;
}

function Screens({ socket }: { socket: LiveSocket }) {
  const [page, setPage] = useState<"map" | "other">("map");
  return (
    <LiveProvider socket={socket}>
      <button type="button" onClick={() => setPage(page === "map" ? "other" : "map")}>
        go
      </button>
      {page === "map" ? (
        <>
          <Watcher />
          <Watcher vehicle={V1} />
        </>
      ) : (
        <p>other</p>
      )}
    </LiveProvider>
  );
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("live subscriptions from components", () => {
  it("come back to the baseline after navigating away and back many times", async () => {
    const fakes = fakeSockets();
    const socket = new LiveSocket({ url: "ws://x/api/v1/ws", createSocket: fakes.create });
    socket.setTenant("t");
    const baseline = socket.stats();
    const view = render(
      <StrictMode>
        <Screens socket={socket} />
      </StrictMode>,
    );
    await act(() => vi.advanceTimersByTimeAsync(0));
    act(() => fakes.last.accept());
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(view.getAllByText("open")).toHaveLength(2);
    const onMap = socket.stats();
    expect(onMap).toMatchObject({ holders: 2, stateListeners: 2 });
    expect(onMap.told).toEqual({ fleet: true, vehicles: 1, groups: 0 });

    const go = view.getByRole("button", { name: "go" });
    for (let i = 0; i < 10; i += 1) {
      act(() => go.click());
      await act(() => vi.advanceTimersByTimeAsync(50));
      expect(socket.stats()).toMatchObject({
        holders: baseline.holders,
        stateListeners: baseline.stateListeners,
        messageListeners: baseline.messageListeners,
      });
      act(() => go.click());
      await act(() => vi.advanceTimersByTimeAsync(50));
      expect(socket.stats()).toMatchObject({ holders: 2, stateListeners: 2 });
    }
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(socket.stats().told).toEqual({ fleet: true, vehicles: 1, groups: 0 });
    expect(fakes.sockets).toHaveLength(1); // one connection all along

    view.unmount();
    await act(() => vi.advanceTimersByTimeAsync(5000));
    expect(socket.stats()).toMatchObject({
      holders: 0,
      stateListeners: 0,
      told: { fleet: false, vehicles: 0, groups: 0 },
    });
  });
});
