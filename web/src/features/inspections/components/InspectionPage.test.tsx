import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { asRole } from "@/test/access";
import { renderWithQueueAt as renderAt } from "@/test/queue";
import { json, stubFetch } from "@/test/render";

import type { InspectionForm } from "../api";
import { InspectionPage } from "./InspectionPage";

afterEach(() => vi.restoreAllMocks());
afterEach(() => vi.unstubAllGlobals());

const VEHICLE = "0190a000-0000-7000-8000-000000000001";
const PATH = `/inspections?vehicle=${VEHICLE}&kind=pre_trip`;
// the first bytes of a JPEG are all the client checks; the server checks the rest
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]);

function form(): InspectionForm {
  return {
    vehicle_id: VEHICLE,
    kind: "pre_trip",
    odometer_km: "48213.5",
    odometer_source: "tracker",
    template: {
      id: "0190a000-0000-7000-8000-0000000000t1",
      version: 1,
      name: "Van: pre-trip",
      kind: "pre_trip",
      vehicle_type: "van",
      active: true,
      created_at: "2026-12-01T08:00:00Z",
      updated_at: "2026-12-01T08:00:00Z",
      items: [
        { id: "horn", section: "Cab", label: "Horn works", critical: false },
        { id: "brakes-service", section: "Brakes", label: "Service brake stops the vehicle", critical: true },
        { id: "tyres", section: "Tyres and wheels", label: "Tyres inflated", critical: true },
      ],
    },
  };
}

function routes(created: unknown = { id: "i1" }) {
  return stubFetch((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/api/v1/vehicles") {
      return json({ items: [{ id: VEHICLE, plate: "VAN-42", name: null, vin: null, make: "Ford", model: "Transit" }], next_cursor: null });
    }
    if (url.pathname === "/api/v1/inspections/form") return json(form());
    if (url.pathname === "/api/v1/inspections" && request.method === "POST") return json(created, 201);
    return undefined;
  });
}

function item(label: string): HTMLElement {
  return screen.getByRole("group", { name: new RegExp(label) });
}

async function answer(label: string, result: "Pass" | "Fail" | "N/A") {
  await userEvent.click(within(item(label)).getByRole("radio", { name: result }));
}

describe("the driver's inspection form", () => {
  it("shows the checklist by section with the odometer from the tracker", async () => {
    routes();
    renderAt(asRole("driver", <InspectionPage />), PATH);
    expect(await screen.findByText("Van: pre-trip")).toBeTruthy();
    expect(screen.getByText(/48,213\.5 km/)).toBeTruthy();
    expect(screen.getByText("(from the tracker)")).toBeTruthy();
    expect(screen.getByRole("group", { name: "Brakes" })).toBeTruthy();
    expect(within(item("Service brake")).getByText("Critical")).toBeTruthy();
    expect(screen.getByRole("option", { name: /VAN-42/ })).toBeTruthy();
  });

  it("refuses to send until every item is answered", async () => {
    const calls = routes();
    renderAt(asRole("driver", <InspectionPage />), PATH);
    await screen.findByText("Van: pre-trip");
    await answer("Horn works", "Pass");
    await userEvent.click(screen.getByRole("button", { name: "Submit inspection" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Service brake stops the vehicle; Tyres inflated");
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });

  it("queues a submission made offline with its defect photo, and sends it once when back online", async () => {
    const calls = routes({ id: "i1", defects: [] });
    const online = vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    renderAt(asRole("driver", <InspectionPage />), PATH);
    await screen.findByText("Van: pre-trip");
    await answer("Horn works", "Pass");
    await answer("Service brake", "Fail");
    await userEvent.type(within(item("Service brake")).getByLabelText("What is wrong?"), "Pulls left");
    const photo = new File([JPEG], "brakes.jpg", { type: "image/jpeg" });
    await userEvent.upload(within(item("Service brake")).getByLabelText("Add photo"), photo);
    expect(await within(item("Service brake")).findByRole("img", { name: "Service brake stops the vehicle, 1" })).toBeTruthy();
    await answer("Tyres inflated", "N/A");
    expect(screen.getByText(/0 of 3 to answer · 1 defect/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Submit inspection" }));

    expect(await screen.findByText(/Saved on this device; it is sent to the server when the network allows/)).toBeTruthy();
    expect(screen.getByText(/critical defect: the vehicle is out of service/)).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    online.mockReturnValue(true);
    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(1));
    expect(await screen.findByText("Synced")).toBeTruthy();
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    const body = await post.json();
    expect(body).toMatchObject({
      vehicle_id: VEHICLE,
      template_id: form().template.id,
      kind: "pre_trip",
      answers: [
        { item_id: "horn", result: "pass", note: "", photos: [] },
        {
          item_id: "brakes-service",
          result: "fail",
          note: "Pulls left",
          photos: [{ content_type: "image/jpeg", data: btoa(String.fromCharCode(...JPEG)) }],
        },
        { item_id: "tyres", result: "na", note: "", photos: [] },
      ],
    });
    expect(body).not.toHaveProperty("odometer_km"); // the server reads it from the tracker
  });

  it("refuses a photo that is not an image it can take", async () => {
    routes();
    renderAt(asRole("driver", <InspectionPage />), PATH);
    await screen.findByText("Van: pre-trip");
    await answer("Horn works", "Fail");
    const gif = new File([new Uint8Array([71, 73, 70])], "horn.gif", { type: "image/gif" });
    await userEvent.upload(within(item("Horn works")).getByLabelText("Add photo"), gif, { applyAccept: false });
    expect((await screen.findByRole("alert")).textContent).toContain("only JPEG, PNG, WebP or HEIC");
  });
});
