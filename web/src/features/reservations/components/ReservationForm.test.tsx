import "fake-indexeddb/auto";

import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { createQueryClient } from "@/lib/query";
import { OfflineProvider, useQueuedChanges } from "@/lib/offline";
import { json, stubFetch } from "@/test/render";

import type { PickerVehicle, Reservation } from "../api";
import { ReservationForm, type FormValues } from "./ReservationForm";

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

function renderForm(onDone = vi.fn()) {
  const client = createQueryClient();
  render(
    <QueryClientProvider client={client}>
      <OfflineProvider scopeOf={() => "u:t"} dbName={`form-test-${++dbCount}`}>
        <ReservationForm
          mode={{ kind: "new" }}
          initial={initial}
          vehicles={[vehicle]}
          drivers={[]}
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
});
