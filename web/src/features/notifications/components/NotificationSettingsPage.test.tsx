import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import { NotificationSettingsPage } from "./NotificationSettingsPage";

afterEach(() => vi.unstubAllGlobals());

const settings = {
  channels: [
    { channel: "in_app", enabled: true, kinds: [], min_severity: "info" },
    { channel: "email", enabled: false, kinds: [], min_severity: "info" },
    { channel: "push", enabled: false, kinds: [], min_severity: "info" },
  ],
  email_available: true,
  push_available: false,
  push_subscriptions: 0,
};
const kinds = [
  { kind: "coolant_high", label: "Coolant too hot", severity: "critical", telemetry: true, thresholds: {}, thresholds_schema: {} },
  { kind: "fuel_low", label: "Fuel low", severity: "warning", telemetry: true, thresholds: {}, thresholds_schema: {} },
];
const notification = {
  id: "n1",
  reason: "alert",
  kind: "dtc",
  code: "P0301",
  severity: "warning",
  title: "1,000 alerts: Diagnostic trouble code P0301",
  body: "1,000 identical alerts between 07:00 and 07:01 UTC, grouped into this one notification.",
  alert_id: "a1",
  last_alert_id: "a2",
  alert_count: 1000,
  vehicle_ids: ["v1"],
  first_at: "2026-12-05T07:00:00Z",
  last_at: "2026-12-05T07:01:00Z",
  released_at: "2026-12-05T07:01:20Z",
  read_at: null,
};

function notificationsApi() {
  return stubFetch((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/v1/notification-settings" && request.method === "GET") return json(settings);
    if (path === "/api/v1/notification-settings" && request.method === "PUT") return json(settings);
    if (path === "/api/v1/alert-rules/kinds") return json(kinds);
    if (path === "/api/v1/notifications") return json({ items: [notification], next_cursor: null });
    if (path === "/api/v1/notifications/n1/read") return json({ ...notification, read_at: "2026-12-05T08:00:00Z" });
    if (path === "/api/v1/notifications/unread-count") return json({ unread: 1 });
    return undefined;
  });
}

describe("notification settings", () => {
  it("saves what the person chose, per channel", async () => {
    const calls = notificationsApi();
    renderAt(<NotificationSettingsPage />, "/settings/notifications");
    const email = (await screen.findByRole("group", { name: "E-mail" })) as HTMLFieldSetElement;
    expect(email.disabled).toBe(false);
    const push = screen.getByRole("group", { name: "Push on this device" }) as HTMLFieldSetElement;
    expect(push.disabled).toBe(true);
    expect(within(push).getByText("Your organisation has not set up push yet.")).toBeTruthy();

    const user = userEvent.setup();
    await user.click(within(email).getByLabelText("Send me alerts this way"));
    await user.selectOptions(within(email).getByLabelText("Which severities (E-mail)"), "critical");
    await user.click(within(email).getByText("Every alert kind"));
    await user.click(within(email).getByLabelText("Coolant too hot"));
    await user.click(screen.getByRole("button", { name: "Save" }));
    await screen.findByText("Saved.");

    const put = calls.find((c) => c.method === "PUT")!;
    const body = (await put.json()) as { channels: { channel: string }[] };
    expect(body.channels.find((c) => c.channel === "email")).toEqual({
      channel: "email",
      enabled: true,
      kinds: ["coolant_high"],
      min_severity: "critical",
    });
  });

  it("lists grouped notifications and marks them read", async () => {
    const calls = notificationsApi();
    renderAt(<NotificationSettingsPage />, "/settings/notifications");
    expect(await screen.findByText("1,000 alerts: Diagnostic trouble code P0301")).toBeTruthy();
    expect(screen.getByText("This browser can't receive push notifications.")).toBeTruthy();
    await userEvent.setup().click(screen.getByRole("button", { name: "Mark read" }));
    await vi.waitFor(() =>
      expect(calls.some((c) => c.method === "POST" && c.url.endsWith("/api/v1/notifications/n1/read"))).toBe(true),
    );
  });
});
