import { Link } from "react-router";

import { VehicleLink } from "@/components/VehicleLink";
import { today } from "@/lib/dates";

import type { ScheduleDue } from "../api";
import { monthGrid, shiftMonth, STATUS_WORDS } from "../calendar";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const monthName = (month: string) =>
  new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${month}-01T00:00:00Z`));
const dayName = (day: string) =>
  new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));

/** A month of due dates, Monday first; each service a line in its day (by date; a service due
 * by km or hours alone has no day and is in the list above). On a phone, days with nothing
 * due fold away. */
export function DueCalendar({ month, onMonth, items }: { month: string; onMonth: (month: string) => void; items: readonly ScheduleDue[] }) {
  const weeks = monthGrid(month, items);
  const now = today();
  const inMonth = weeks.flat().filter((d) => d.inMonth && d.items.length).length;
  return (
    <div className="mt-calendar">
      <div className="mt-calendar-head">
        <button type="button" className="button" onClick={() => onMonth(shiftMonth(month, -1))}>
          ← <span className="visually-hidden">Previous month</span>
        </button>
        <h3 aria-live="polite">{monthName(month)}</h3>
        <button type="button" className="button" onClick={() => onMonth(shiftMonth(month, 1))}>
          <span className="visually-hidden">Next month</span> →
        </button>
      </div>
      {inMonth === 0 ? <p className="muted">Nothing falls due by date this month.</p> : null}
      <table className="mt-month" aria-label={`Services due in ${monthName(month)}`}>
        <thead>
          <tr>
            {WEEKDAYS.map((d) => (
              <th key={d} scope="col">
                {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]!.day}>
              {week.map((cell) => (
                <td
                  key={cell.day}
                  className={[cell.inMonth ? "" : "mt-other", cell.items.length ? "mt-has" : "", cell.day === now ? "mt-today" : ""].join(" ").trim() || undefined}
                >
                  <span className="mt-day-number" aria-hidden="true">
                    {Number(cell.day.slice(8))}
                  </span>
                  <span className="mt-day-name">{dayName(cell.day)}</span>
                  {cell.items.length ? (
                    <ul>
                      {cell.items.map((item) => (
                        <li key={`${item.schedule_id}-${item.vehicle_id}`} className={`mt-item mt-${item.status}`}>
                          <span className="visually-hidden">{STATUS_WORDS[item.status]}: </span>
                          <VehicleLink vehicleId={item.vehicle_id} /> <span>{item.schedule_name}</span>
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Services due by distance or engine hours alone are in the list above; <Link to="/maintenance/schedules">schedules</Link> set the
        intervals.
      </p>
    </div>
  );
}
