import "fake-indexeddb/auto";

import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { createQueryClient } from "@/lib/query";
import { OfflineProvider, useQueuedChanges } from "@/lib/offline";
import { json, stubFetch } from "@/test/render";

import type { Driver, PickerVehicle, Reservation } from "../api";
import { bookableDrivers, ReservationForm, type FormMode, type FormValues } from "./ReservationForm";

afterEach(() => vi.unstubAllGlobals());

const vehicle = { id: "v1", plate: "AB-123", name: null, status: { state: "active" } } as PickerVehicle;
const taken: Reservation = {
  id: "r1",
  version: 1,
  vehicle_id: "v1",
  driver_id: null,
  user_id: null,
  starts_at: new Date(2030, 0, 9, 9).toISOString(),
  ends_at: new Date(2030, 0, 9, 11).toISOString(),
  purpose: "Delivery",
  status: "confirmed",
  created_at: "2030-01-01T00:00:00Z",
  updated_at: "2030-01-01T00:00:00Z",
};
const initial: FormValues = {
  vehicleId: "v1",
  driverId: "",
  userId: "",
  starts: "2030-01-09T08:00",
  ends: "2030-01-09T10:00",
  purpose: "",
};

let dbCount = 0;

function Queued() {
  const changes = useQueuedChanges();
  return <output aria-label="queued">{changes.map((c) => `${c.label}:${c.status}`).join(",")}</output>;
}

function driver(id: string, name: string, status: Driver["status"]): Driver {
  return { id, name, status } as Driver;
}
const DRIVERS = [
  driver("d1", "Aino Active", "active"),
  driver("d2", "Ilkka Inactive", "inactive"),
  driver("d3", "Sami Suspended", "suspended"),
];

function goOnline(online: boolean) {
  Object.defineProperty(navigator, "onLine", { configurable: true, get: () => online });
  window.dispatchEvent(new Event(online ? "online" : "offline"));
}

afterEach(() => goOnline(true));

function renderForm(
  onDone = vi.fn(),
  { drivers = [] as Driver[], mode = { kind: "new" } as FormMode, values = initial } = {},
) {
  const client = createQueryClient();
  render(
    <QueryClientProvider client={client}>
      <OfflineProvider scopeOf={() => "u:t"} dbName={`form-test-${++dbCount}`}>
        <ReservationForm
          mode={mode}
          initial={values}
          vehicles={[vehicle]}
          drivers={drivers}
          members={[]}
          bookingsOf={() => [taken]}
          onDraft={() => {}}
          onDone={onDone}
        />
        <Queued />
      </OfflineProvider>
    </QueryClientProvider>,
  );
  return onDone;
}

describe("the booking form", () => {
  it("shows an overlap with a known booking before sending anything", async () => {
    const calls = stubFetch(() => json({}, 201));
    const onDone = renderForm();
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toMatch(/AB-123 is already booked then/);
    await userEvent.click(screen.getByRole("button", { name: "Reserve" }));
    expect(onDone).not.toHaveBeenCalled();
    expect(calls).toHaveLength(0);
  });

  it("queues a booking that fits, and sends it with an idempotency key", async () => {
    const calls = stubFetch(() => json({ ...taken, id: "r2" }, 201));
    const onDone = renderForm();
    await userEvent.clear(screen.getByLabelText("Ends"));
    await userEvent.type(screen.getByLabelText("Ends"), "2030-01-09T09:00");
    expect(screen.queryByRole("alert")).toBeNull();
    await userEvent.type(screen.getByLabelText("Purpose"), "Airport run");
    await userEvent.click(screen.getByRole("button", { name: "Reserve" }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    await waitFor(() => expect(screen.getByLabelText("queued").textContent).toBe("Reserve AB-123:synced"));
    const sent = calls.find((c) => c.method === "POST")!;
    expect(sent.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await sent.json()).toMatchObject({
      vehicle_id: "v1",
      purpose: "Airport run",
      starts_at: new Date(2030, 0, 9, 8).toISOString(),
      ends_at: new Date(2030, 0, 9, 9).toISOString(),
    });
  });

  it("offers only active drivers for a booking", () => {
    stubFetch(() => json({}, 201));
    renderForm(vi.fn(), { drivers: DRIVERS });
    const picker = screen.getByLabelText("Driver");
    const options = within(picker).getAllByRole("option").map((o) => o.textContent);
    expect(options).toEqual(["No driver", "Aino Active"]);
  });

  it("keeps an edited booking's inactive driver shown, but not choosable", () => {
    expect(bookableDrivers(DRIVERS, "d2").map((d) => d.name)).toEqual(["Aino Active", "Ilkka Inactive"]);
    stubFetch(() => json({}, 201));
    renderForm(vi.fn(), {
      drivers: DRIVERS,
      mode: { kind: "edit", reservation: { ...taken, driver_id: "d2" } },
      values: { ...initial, driverId: "d2" },
    });
    const kept = within(screen.getByLabelText("Driver")).getByRole("option", { name: "Ilkka Inactive (inactive)" });
    expect((kept as HTMLOptionElement).disabled).toBe(true);
    expect((kept as HTMLOptionElement).selected).toBe(true);
    expect(within(screen.getByLabelText("Driver")).queryByRole("option", { name: /Sami/ })).toBeNull();
  });

  it("says a booking waits for the network only when offline", async () => {
    stubFetch(() => json({ ...taken, id: "r2" }, 201));
    goOnline(false);
    const onDone = renderForm();
    await userEvent.clear(screen.getByLabelText("Ends"));
    await userEvent.type(screen.getByLabelText("Ends"), "2030-01-09T09:00");
    await userEvent.click(screen.getByRole("button", { name: "Reserve" }));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(expect.stringMatching(/when the network allows\.$/)));
  });

  it("says it is sending a booking while online", async () => {
    stubFetch(() => json({ ...taken, id: "r2" }, 201));
    const onDone = renderForm();
    await userEvent.clear(screen.getByLabelText("Ends"));
    await userEvent.type(screen.getByLabelText("Ends"), "2030-01-09T09:00");
    await userEvent.click(screen.getByRole("button", { name: "Reserve" }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(onDone.mock.calls[0]![0]).toMatch(/^Saved: AB-123, .+\. Sending it to the server…$/);
    expect(onDone.mock.calls[0]![0]).not.toMatch(/network/);
  });
});
