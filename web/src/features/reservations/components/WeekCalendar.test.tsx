import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { Reservation } from "../api";
import { WeekCalendar } from "./WeekCalendar";

const monday = new Date(2030, 0, 7); // a Monday

function booking(day: number, from: number, to: number, purpose: string): Reservation {
  const at = (hour: number) => new Date(2030, 0, 7 + day, hour).toISOString();
  return {
    id: `r-${day}-${from}`,
    version: 1,
    vehicle_id: "v1",
    driver_id: null,
    user_id: null,
    starts_at: at(from),
    ends_at: at(to),
    purpose,
    status: "confirmed",
    created_at: at(0),
    updated_at: at(0),
  };
}

function renderWeek(reservations: Reservation[] = []) {
  const props = {
    onPickSlot: vi.fn(),
    onPickReservation: vi.fn(),
    onWeek: vi.fn(),
  };
  render(
    <WeekCalendar
      weekStart={monday}
      vehicleLabel="AB-123"
      reservations={reservations}
      draft={null}
      changeFor={() => undefined}
      {...props}
    />,
  );
  return props;
}

describe("the week calendar", () => {
  it("is one tab stop that the arrow keys move, and Enter books the hour", async () => {
    const props = renderWeek();
    const grid = screen.getByRole("grid", { name: /AB-123: week of/ });
    const tabbable = grid.querySelectorAll('[role="gridcell"][tabindex="0"]');
    expect(tabbable).toHaveLength(1);
    await userEvent.tab();
    expect(document.activeElement?.getAttribute("aria-label")).toMatch(/09:00, free$/);
    await userEvent.keyboard("{ArrowRight}{ArrowDown}{ArrowDown}{Enter}");
    expect(props.onPickSlot).toHaveBeenCalledWith(new Date(2030, 0, 8, 11));
    await userEvent.keyboard("{PageDown}");
    expect(props.onWeek).toHaveBeenCalledWith(1);
  });

  it("says which hours are booked, and opens a booking with Enter", async () => {
    const props = renderWeek([booking(2, 9, 11, "Delivery"), { ...booking(2, 14, 15, "Gone"), status: "cancelled" }]);
    expect(screen.getAllByRole("gridcell", { name: /booked: Delivery/ })).toHaveLength(2);
    expect(screen.queryAllByRole("gridcell", { name: /Gone/ })).toHaveLength(0);
    screen.getAllByRole("gridcell", { name: /booked: Delivery/ })[0]!.focus();
    await userEvent.keyboard("{Enter}");
    expect(props.onPickReservation).toHaveBeenCalledWith(expect.objectContaining({ purpose: "Delivery" }));
  });
});
