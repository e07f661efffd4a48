import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { queuedChange as change } from "@/test/offline";

import { ChangeState } from "./ChangeState";
import { queuedNotice, stateText } from "./describe";
import { summaryText } from "./SyncStatus";

function goOnline(online: boolean) {
  Object.defineProperty(navigator, "onLine", { configurable: true, get: () => online });
  window.dispatchEvent(new Event(online ? "online" : "offline"));
}

afterEach(() => goOnline(true));

const NETWORK = /network allows|waiting for the network/i;

describe("a waiting change, online and offline", () => {
  it("is being sent while online, and waits for the network only offline", () => {
    expect(stateText(change(), true)).toBe("Sending…");
    expect(stateText(change({ status: "syncing" }), true)).toBe("Sending…");
    expect(stateText(change(), false)).toBe("Will be sent when the network allows");
    const failedTry = change({ error: { status: 0, code: "network", message: "Failed to fetch", details: {} } });
    expect(stateText(failedTry, true)).toBe("Not sent yet, retrying");
    expect(stateText(failedTry, true)).not.toMatch(NETWORK);
  });

  it("keeps the settled states whatever the network", () => {
    for (const online of [true, false]) {
      expect(stateText(change({ status: "synced" }), online)).toBe("Synced");
      expect(stateText(change({ status: "conflict" }), online)).toBe("Conflict");
    }
  });

  it("sums up the queue in the shell the same way", () => {
    const summary = { pending: 2, conflicts: 0, failed: 0, synced: 0 };
    expect(summaryText(summary, true)).toBe("Saving 2 changes…");
    expect(summaryText(summary, false)).toBe("Offline · 2 changes waiting for the network");
    expect(summaryText({ ...summary, pending: 0, synced: 1 }, true)).toBe("All changes saved");
  });

  it("tells a form's author what happens to the change", () => {
    expect(queuedNotice("Booked.", true)).toBe("Booked. Sending it to the server…");
    expect(queuedNotice("Booked.", true)).not.toMatch(NETWORK);
    expect(queuedNotice("Booked.", false)).toMatch(/network allows/);
  });

  it("changes its badge when the browser goes offline and back", () => {
    goOnline(true);
    render(<ChangeState change={change()} />);
    expect(screen.getByText("Sending…")).toBeTruthy();
    act(() => goOnline(false));
    expect(screen.getByText("Will be sent when the network allows")).toBeTruthy();
    act(() => goOnline(true));
    expect(screen.getByText("Sending…")).toBeTruthy();
  });
});
