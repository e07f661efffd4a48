import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { json, renderAt, stubFetch, type Route } from "@/test/render";

import { checkBranding } from "./brandingCheck";
import { SettingsPage } from "./SettingsPage";

afterEach(() => vi.unstubAllGlobals());

const OWNER = "00000000-0000-7000-8000-00000000000a";
const tenant = {
  id: "t1",
  slug: "acme",
  name: "Acme",
  features: {},
  limits: { api_requests_per_minute: 600 },
  branding: { primary_color: "#0f5132", logo_url: null },
};
const members = [
  { user_id: OWNER, email: "owner@example.com", display_name: "Olive Owner", role: "owner", created_at: "2026-01-01T00:00:00Z" },
  { user_id: "u2", email: "view@example.com", display_name: "", role: "viewer", created_at: "2026-01-01T00:00:00Z" },
];
const notFound = () =>
  json({ error: { code: "not_found", message: "Not Found", details: {} } }, 404);

function settingsApi(extra: Route = () => undefined) {
  return stubFetch((request) => {
    const found = extra(request);
    if (found) return found;
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/tenant") return json(tenant);
    if (url.pathname === "/api/v1/members") return json(members);
    if (url.pathname === "/api/v1/api-keys" && request.method === "GET") return json([]);
    if (url.pathname === "/api/v1/webhooks") return notFound();
    return undefined;
  });
}

describe("settings", () => {
  it("keeps the last owner's role and membership locked, and hides webhooks on a 404", async () => {
    settingsApi();
    renderAt(asRole("owner", <SettingsPage />, OWNER), "/settings");
    const role = await screen.findByLabelText("Role of Olive Owner");
    expect((role as HTMLSelectElement).disabled).toBe(true);
    expect(screen.getAllByText(/only owner/).length).toBeGreaterThan(0);
    expect((screen.getByRole("button", { name: /Remove Olive Owner/ }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByLabelText("Role of view@example.com") as HTMLSelectElement).disabled).toBe(false);
    await screen.findByLabelText(/^Organisation name/);
    await vi.waitFor(() => expect(screen.queryByText("Loading webhooks…")).toBeNull());
    expect(screen.queryByRole("heading", { name: "Webhooks" })).toBeNull();
  });

  it("shows a new API key once, with a copy button", async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const calls = settingsApi((request) => {
      if (new URL(request.url).pathname === "/api/v1/api-keys" && request.method === "POST") {
        return json(
          {
            id: "k1",
            name: "Payroll",
            role: "viewer",
            prefix: "fy_abc",
            created_by: OWNER,
            created_at: "2026-01-01T00:00:00Z",
            last_used_at: null,
            expires_at: null,
            revoked_at: null,
            key: "fy_abc_the_whole_secret",
          },
          201,
        );
      }
      return undefined;
    });
    renderAt(asRole("owner", <SettingsPage />, OWNER), "/settings");
    const form = (await screen.findByRole("heading", { name: "Create a key" })).closest("form")!;
    await userEvent.type(within(form).getByLabelText(/^Name/), "Payroll");
    await userEvent.click(screen.getByRole("button", { name: "Create key" }));
    const key = (await screen.findByLabelText("The new API key")) as HTMLInputElement;
    expect(key.value).toBe("fy_abc_the_whole_secret");
    await userEvent.click(screen.getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith("fy_abc_the_whole_secret");
    expect(await screen.findByText("Copied to the clipboard.")).toBeTruthy();
    const post = calls.find((c) => c.method === "POST");
    expect(await post?.json()).toEqual({ name: "Payroll", role: "viewer", expires_at: null });
    await userEvent.click(screen.getByRole("button", { name: "I’ve stored it" }));
    expect(screen.queryByLabelText("The new API key")).toBeNull();
  });

  it("shows a viewer the branding read-only, and no actions", async () => {
    settingsApi();
    renderAt(asRole("viewer", <SettingsPage />), "/settings");
    const name = (await screen.findByLabelText(/^Organisation name/)) as HTMLInputElement;
    expect(name.matches(":disabled")).toBe(true);
    expect(screen.queryAllByRole("button")).toEqual([]);
    expect(screen.getByText(/can’t see the tenant’s members/)).toBeTruthy();
  });
});

describe("the branding check", () => {
  it("warns of a colour too pale for text on white, and of a mid-tone header", () => {
    expect(checkBranding("#0f5132")?.warnings).toEqual([]);
    expect(checkBranding("#fde047")?.warnings).toHaveLength(1);
    expect(checkBranding("#7f7f7f")?.warnings).toHaveLength(2);
    expect(checkBranding("nope")).toBeNull();
  });
});
