import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { renderWithQueueAt as renderAt } from "@/test/queue";
import { json, stubFetch } from "@/test/render";

import { routeOf, stopOf } from "../testData";
import { MyRoutePage } from "./MyRoutePage";

afterEach(() => vi.restoreAllMocks());
afterEach(() => vi.unstubAllGlobals());

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]);
const PATH = "/my-route?date=2026-12-05";

function route() {
  return routeOf([stopOf(1, { status: "completed" }), stopOf(2), stopOf(3, { eta_at: "2026-12-05T11:20:00Z", late_minutes: 20 })]);
}

function serve() {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/dispatch/my-routes") return json([route()]);
    if (url.pathname.startsWith("/api/v1/dispatch/routes/r1/stops/") && request.method === "POST") return json(route());
    return undefined;
  });
}

const card = (name: RegExp) => screen.getByRole("listitem", { name });

describe("the driver's day route", () => {
  it("lists the stops in order with windows, ETAs and lateness, the next one marked", async () => {
    const calls = serve();
    renderAt(asRole("driver", <MyRoutePage />), PATH);
    expect(await screen.findByText("Morning bread")).toBeTruthy();
    expect(calls[0]?.url).toContain("date=2026-12-05");
    expect(screen.getByText("1 of 3 stops done")).toBeTruthy();
    const items = screen.getAllByRole("listitem");
    expect(items.map((i) => i.getAttribute("aria-labelledby"))).toEqual(["stop-s1", "stop-s2", "stop-s3"]);
    expect(card(/Bakery 2/).getAttribute("aria-current")).toBe("step");
    expect(within(card(/Bakery 2/)).getByText("Next")).toBeTruthy();
    expect(within(card(/Bakery 2/)).getByText("On time")).toBeTruthy();
    expect(within(card(/Bakery 3/)).getByText("Late by 20 min")).toBeTruthy();
    expect(within(card(/Bakery 1/)).getByText("Completed")).toBeTruthy();
    // only the next stop has its buttons
    expect(within(card(/Bakery 3/)).queryByRole("button")).toBeNull();
  });

  it("queues arrive, complete and a failure with a photo offline, then sends each once", async () => {
    const calls = serve();
    const online = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    renderAt(asRole("driver", <MyRoutePage />), PATH);
    await screen.findByText("Morning bread");

    await userEvent.click(within(card(/Bakery 2/)).getByRole("button", { name: "Arrive" }));
    expect(await within(card(/Bakery 2/)).findByText("Will be sent when the network allows")).toBeTruthy();
    await userEvent.click(within(card(/Bakery 2/)).getByRole("button", { name: "Complete" }));
    await userEvent.type(within(card(/Bakery 2/)).getByLabelText("Note (optional)"), "Left at the back door");
    await userEvent.click(within(card(/Bakery 2/)).getByRole("button", { name: "Complete stop" }));
    // the step shows at once; the next stop moves on
    expect(await screen.findByText("2 of 3 stops done")).toBeTruthy();
    expect(card(/Bakery 3/).getAttribute("aria-current")).toBe("step");

    await userEvent.click(within(card(/Bakery 3/)).getByRole("button", { name: "Fail" }));
    await userEvent.click(within(card(/Bakery 3/)).getByRole("button", { name: "Fail stop" }));
    expect((await within(card(/Bakery 3/)).findByRole("alert")).textContent).toBe("Say why the stop failed.");
    await userEvent.type(within(card(/Bakery 3/)).getByLabelText("Why did it fail?"), "Shop closed");
    const photo = new File([JPEG], "door.jpg", { type: "image/jpeg" });
    await userEvent.upload(within(card(/Bakery 3/)).getByLabelText("Add proof photo"), photo);
    expect(await within(card(/Bakery 3/)).findByRole("img", { name: "Proof for stop 3" })).toBeTruthy();
    await userEvent.click(within(card(/Bakery 3/)).getByRole("button", { name: "Fail stop" }));
    expect(await screen.findByText("Every stop is done for this route.")).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    online.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(3));
    const posts = calls.filter((c) => c.method === "POST");
    expect(posts.map((p) => new URL(p.url).pathname)).toEqual([
      "/api/v1/dispatch/routes/r1/stops/s2/arrive",
      "/api/v1/dispatch/routes/r1/stops/s2/complete",
      "/api/v1/dispatch/routes/r1/stops/s3/fail",
    ]);
    const keys = posts.map((p) => p.headers.get("Idempotency-Key"));
    expect(new Set(keys).size).toBe(3);
    expect(await posts[1]!.json()).toMatchObject({ note: "Left at the back door" });
    expect(await posts[2]!.json()).toMatchObject({
      note: "Shop closed",
      photo: { content_type: "image/jpeg", data: btoa(String.fromCharCode(...JPEG)) },
    });
  });

  it("says so when nothing is dispatched for the day", async () => {
    stubFetch(() => json([]));
    renderAt(asRole("driver", <MyRoutePage />), PATH);
    expect(await screen.findByText("No route is dispatched to you for this day.")).toBeTruthy();
  });
});
