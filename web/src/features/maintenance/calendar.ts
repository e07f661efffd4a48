/** The overview's logic: what is due, sorted by urgency, and laid out on a month's calendar. */
import type { DueStatus, ScheduleDue } from "./api";

export const STATUS_WORDS: Record<DueStatus, string> = {
  ok: "OK",
  due_soon: "Due soon",
  due: "Due",
  overdue: "Overdue",
};

const RANK: Record<DueStatus, number> = { overdue: 0, due: 1, due_soon: 2, ok: 3 };

/** Most urgent first: overdue, due, due soon, then by date due (undated last). */
export function byUrgency(a: ScheduleDue, b: ScheduleDue): number {
  return (
    RANK[a.status] - RANK[b.status] ||
    (a.next_due_on ?? "9999-12-31").localeCompare(b.next_due_on ?? "9999-12-31") ||
    Number(a.remaining_km ?? Infinity) - Number(b.remaining_km ?? Infinity)
  );
}

export interface DueCounts {
  overdue: number;
  due: number;
  due_soon: number;
}

export function countDue(items: readonly ScheduleDue[]): DueCounts {
  const counts: DueCounts = { overdue: 0, due: 0, due_soon: 0 };
  for (const item of items) if (item.status !== "ok") counts[item.status] += 1;
  return counts;
}

/** What is left in words: "1,200 km, 14 days" or "400 km over". */
export function remainingWords(item: ScheduleDue): string {
  const parts: string[] = [];
  const km = item.remaining_km === null ? null : Number(item.remaining_km);
  const hours = item.remaining_hours === null ? null : Number(item.remaining_hours);
  const fmt = (n: number) => Math.abs(Math.round(n)).toLocaleString();
  if (km !== null) parts.push(km < 0 ? `${fmt(km)} km over` : `${fmt(km)} km left`);
  if (hours !== null) parts.push(hours < 0 ? `${fmt(hours)} engine hours over` : `${fmt(hours)} engine hours left`);
  if (item.remaining_days !== null)
    parts.push(
      item.remaining_days < 0
        ? `${-item.remaining_days} days late`
        : item.remaining_days === 0
          ? "due today"
          : `${item.remaining_days} days left`,
    );
  return parts.join(", ") || "—";
}

export interface CalendarDay {
  /** YYYY-MM-DD */
  day: string;
  inMonth: boolean;
  items: ScheduleDue[];
}

function iso(year: number, month: number, date: number): string {
  const d = new Date(Date.UTC(year, month, date));
  return d.toISOString().slice(0, 10);
}

/**
 * A month ("YYYY-MM") as whole weeks, Monday first, each day holding what falls due on it.
 * Past-due items whose date is before the month are not placed (they are in the list).
 */
export function monthGrid(month: string, items: readonly ScheduleDue[]): CalendarDay[][] {
  const [year, mon] = month.split("-").map(Number) as [number, number];
  const first = new Date(Date.UTC(year, mon - 1, 1));
  const lead = (first.getUTCDay() + 6) % 7; // days before the 1st, back to Monday
  const daysInMonth = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  const cells = Math.ceil((lead + daysInMonth) / 7) * 7;
  const byDay = new Map<string, ScheduleDue[]>();
  for (const item of items) {
    if (!item.next_due_on) continue;
    const list = byDay.get(item.next_due_on) ?? [];
    list.push(item);
    byDay.set(item.next_due_on, list);
  }
  const weeks: CalendarDay[][] = [];
  for (let i = 0; i < cells; i++) {
    const day = iso(year, mon - 1, 1 - lead + i);
    if (i % 7 === 0) weeks.push([]);
    weeks.at(-1)!.push({ day, inMonth: day.slice(0, 7) === month, items: (byDay.get(day) ?? []).sort(byUrgency) });
  }
  return weeks;
}

/** The month before or after "YYYY-MM". */
export function shiftMonth(month: string, by: number): string {
  const [year, mon] = month.split("-").map(Number) as [number, number];
  return iso(year, mon - 1 + by, 1).slice(0, 7);
}
