import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { json, renderAt, stubFetch } from "@/test/render";

import { LoginPage } from "./LoginPage";

afterEach(() => vi.unstubAllGlobals());

describe("LoginPage", () => {
  it("has labelled fields and shows the server's message on failure", async () => {
    const calls = stubFetch(() =>
      json({ error: { code: "invalid_credentials", message: "Email or password is wrong.", details: {} } }, 401),
    );
    renderAt(<LoginPage />, "/login");
    await userEvent.type(screen.getByLabelText("Email"), "ops@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Email or password is wrong.");
    expect(await calls[0]?.json()).toEqual({ email: "ops@example.com", password: "wrong" });
  });

  it("goes where it was sent from after logging in", async () => {
    stubFetch(() =>
      json({
        user_id: "u",
        email: "ops@example.com",
        display_name: "Ops",
        actor_type: "user",
        tenant_id: "t",
        role: "owner",
        memberships: [],
        csrf_token: "csrf",
      }),
    );
    const { router } = renderAt(<LoginPage />, "/login?next=%2Fvehicles%3Fq%3Dvan");
    await userEvent.type(screen.getByLabelText("Email"), "ops@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "right");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe("/vehicles"));
    expect(router.state.location.search).toBe("?q=van");
  });
});
