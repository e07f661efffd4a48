import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { json, renderAt, stubFetch } from "@/test/render";

import { WebhooksSection } from "./WebhooksSection";

afterEach(() => vi.unstubAllGlobals());

const hook = {
  id: "w1",
  version: 1,
  url: "https://example.com/hook",
  event_types: ["vehicle_created"],
  description: "",
  active: true,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

const TYPES = [
  { type: "vehicle_created", domain: "vehicle", domain_label: "Vehicles", label: "Vehicle created" },
  { type: "vehicle_updated", domain: "vehicle", domain_label: "Vehicles", label: "Vehicle updated" },
  { type: "alert_opened", domain: "alert", domain_label: "Alerts", label: "Alert opened" },
];

describe("the webhooks section", () => {
  it("is not there while the server has no webhooks API (404)", async () => {
    const calls = stubFetch(() =>
      json({ error: { code: "not_found", message: "Not Found", details: {} } }, 404),
    );
    const { container } = renderAt(asRole("owner", <WebhooksSection />), "/settings");
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    await vi.waitFor(() => expect(container.textContent).toBe(""));
  });

  it("manages webhooks when the API has them: the secret shown once", async () => {
    const calls = stubFetch((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/v1/webhooks" && request.method === "GET") return json({ items: [hook], next_cursor: null });
      if (url.pathname === "/api/v1/events/types") return json(TYPES);
      if (url.pathname === "/api/v1/webhooks" && request.method === "POST") {
        return json({ ...hook, id: "w2", url: "https://example.com/two", secret: "whsec_once" }, 201);
      }
      if (url.pathname === "/api/v1/webhooks/w1/deliveries") {
        return json({
          items: [
            {
              id: "d1",
              webhook_id: "w1",
              event_id: 7,
              event_type: "vehicle_created",
              status: "failed",
              attempts: 3,
              next_attempt_at: null,
              last_attempt_at: "2026-01-01T00:00:05Z",
              response_status: 500,
              response_body: "oops",
              error: null,
              duration_ms: 12,
              redelivery_of: null,
              created_at: "2026-01-01T00:00:00Z",
              payload: {},
            },
          ],
          next_cursor: null,
        });
      }
      return undefined;
    });
    renderAt(asRole("admin", <WebhooksSection />), "/settings");
    const section = await screen.findByRole("region", { name: "Webhooks" });
    expect(await within(section).findByText("https://example.com/hook")).toBeTruthy();
    expect(await within(section).findByText("Events: Vehicle created")).toBeTruthy();
    await userEvent.click(within(section).getByRole("button", { name: "Deliveries" }));
    expect(await within(section).findByText("Failed", { selector: ".badge" })).toBeTruthy();
    expect(within(within(section).getByRole("table")).getByTitle("vehicle_created").textContent).toBe("Vehicle created");
    await userEvent.selectOptions(within(section).getByLabelText("Delivery status"), "failed");
    await vi.waitFor(() =>
      expect(calls.some((c) => new URL(c.url).searchParams.get("status") === "failed")).toBe(true),
    );

    const form = within(within(section).getByRole("group", { name: "Add a webhook" }));
    expect(form.getByRole("group", { name: "Alerts" })).toBeTruthy();
    await userEvent.click(form.getByRole("checkbox", { name: "Every event (*)" }));
    expect((form.getByRole("checkbox", { name: "Alert opened" }) as HTMLInputElement).disabled).toBe(true);
    await userEvent.click(form.getByRole("checkbox", { name: "Every event (*)" }));
    await userEvent.type(within(section).getByLabelText(/^Payload URL/), "https://example.com/two");
    await userEvent.click(form.getByRole("checkbox", { name: "Alert opened" }));
    await userEvent.click(within(section).getByRole("button", { name: "Add webhook" }));
    expect(((await within(section).findByLabelText("The webhook's signing secret")) as HTMLInputElement).value).toBe("whsec_once");
    const post = calls.find((c) => c.method === "POST" && new URL(c.url).pathname === "/api/v1/webhooks");
    expect(await post?.json()).toEqual({
      url: "https://example.com/two",
      event_types: ["alert_opened"],
      description: "",
      active: true,
    });
  });
});
