import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { json, renderAt, stubFetch } from "@/test/render";

import { EmailChannelSection } from "./EmailChannelSection";

afterEach(() => vi.unstubAllGlobals());

const channels = {
  email: {
    enabled: true,
    host: "smtp.example.com",
    port: 587,
    security: "starttls",
    username: "fleet",
    from_address: "fleet@example.com",
    password_set: true,
  },
  push: { configured: false, public_key: null, subject: null },
  in_app: true,
};

function channelsApi() {
  return stubFetch((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/v1/notification-channels") return json(channels);
    if (path === "/api/v1/notification-channels/email") return json(channels);
    if (path === "/api/v1/notification-channels/email/test") {
      return json({ delivered: false, to: "owner@example.com", error: "The SMTP server answered 535: bad login" });
    }
    return undefined;
  });
}

describe("the organisation's e-mail", () => {
  it("keeps a saved password unless a new one is typed, and tells how a test send went", async () => {
    const calls = channelsApi();
    renderAt(asRole("owner", <EmailChannelSection />), "/settings/notifications");
    const host = (await screen.findByLabelText(/SMTP server/)) as HTMLInputElement;
    expect(host.value).toBe("smtp.example.com");
    expect(screen.getByText("A password is saved; leave empty to keep it.")).toBeTruthy();
    const user = userEvent.setup();
    await user.clear(screen.getByLabelText("Port"));
    await user.type(screen.getByLabelText("Port"), "2525");
    await user.click(screen.getByRole("button", { name: "Save e-mail settings" }));
    await screen.findByText("Saved.");
    const put = calls.find((c) => c.method === "PUT")!;
    const body = (await put.json()) as Record<string, unknown>;
    expect(body.port).toBe(2525);
    expect("password" in body).toBe(false);

    await user.click(screen.getByRole("button", { name: "Send a test e-mail to me" }));
    expect(await screen.findByText("Not delivered: The SMTP server answered 535: bad login")).toBeTruthy();
  });

  it("is not shown to those who can't manage the organisation", () => {
    channelsApi();
    renderAt(asRole("dispatcher", <EmailChannelSection />), "/settings/notifications");
    expect(screen.queryByRole("heading", { name: "E-mail for the organisation" })).toBeNull();
  });
});
