import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { renderWithQueueAt as renderAt } from "@/test/queue";
import { json, stubFetch } from "@/test/render";

import type { Defect } from "../api";
import { DefectsPage } from "./DefectsPage";

afterEach(() => vi.unstubAllGlobals());

const VEHICLE = "0190a000-0000-7000-8000-000000000001";

function defect(fields: Partial<Defect> = {}): Defect {
  return {
    id: "0190a000-0000-7000-8000-0000000000d1",
    version: 1,
    inspection_id: "0190a000-0000-7000-8000-0000000000i1",
    vehicle_id: VEHICLE,
    item_id: "brakes-service",
    section: "Brakes",
    label: "Service brake stops the vehicle",
    critical: true,
    note: "Pulls left",
    status: "open",
    out_of_service: true,
    work_order_id: null,
    alert_id: null,
    acknowledged_by: null,
    acknowledged_at: null,
    signed_off_by: null,
    signed_off_at: null,
    sign_off_note: "",
    created_at: "2026-12-05T05:40:00Z",
    updated_at: "2026-12-05T05:40:00Z",
    photos: [{ id: "0190a000-0000-7000-8000-0000000000p1", content_type: "image/jpeg", size_bytes: 1234 }],
    ...fields,
  };
}

function routes() {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/vehicles") return json({ items: [{ id: VEHICLE, plate: "VAN-42" }], next_cursor: null });
    if (url.pathname === "/api/v1/defects") return json({ items: [defect()], next_cursor: null });
    if (url.pathname.endsWith("/sign-off") && request.method === "POST") {
      return json(defect({ status: "resolved", version: 2, signed_off_at: "2026-12-05T09:00:00Z" }));
    }
    return undefined;
  });
}

describe("the defects screen", () => {
  it("shows an open defect with its photo and lets a mechanic sign it off through the queue", async () => {
    const calls = routes();
    renderAt(asRole("mechanic", <DefectsPage />), "/defects");
    const card = await screen.findByRole("listitem", { name: "Service brake stops the vehicle on VAN-42" });
    expect(within(card).getByText("Out of service")).toBeTruthy();
    expect(within(card).getByText("“Pulls left”")).toBeTruthy();
    const img = within(card).getByRole("img", { name: "Service brake stops the vehicle, 1" });
    expect(img.getAttribute("src")).toBe(`/api/v1/defects/${defect().id}/photos/${defect().photos[0]!.id}`);

    await userEvent.type(within(card).getByLabelText("Sign-off note"), "Caliper replaced");
    await userEvent.click(within(card).getByRole("button", { name: "Repaired: sign off" }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(1));
    const post = calls.find((c) => c.method === "POST")!;
    expect(new URL(post.url).pathname).toBe(`/api/v1/defects/${defect().id}/sign-off`);
    expect(post.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await post.json()).toEqual({ outcome: "resolved", note: "Caliper replaced" });
  });

  it("offers a driver no mechanic's steps", async () => {
    routes();
    renderAt(asRole("driver", <DefectsPage />), "/defects");
    const card = await screen.findByRole("listitem", { name: /Service brake/ });
    expect(within(card).queryByRole("button")).toBeNull();
  });
});
