/** Local-time helpers for the week calendar (weeks start on Monday). */

export const DAY_MS = 24 * 60 * 60_000;

export function startOfDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days, date.getHours(), date.getMinutes());
}

export function addHours(date: Date, hours: number): Date {
  return new Date(date.getTime() + hours * 60 * 60_000);
}

export function startOfWeek(date: Date): Date {
  const day = startOfDay(date);
  return addDays(day, -((day.getDay() + 6) % 7));
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `2026-05-04` (local). */
export function isoDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `2026-05-04` → that local midnight (null when malformed). */
export function parseIsoDate(value: string | null): Date | null {
  const match = value ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The value of a `datetime-local` input for `date`. */
export function toLocalInput(date: Date): string {
  return `${isoDate(date)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value → a Date (null when empty or malformed). */
export function fromLocalInput(value: string): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function overlaps(aStart: Date, aEnd: Date, bStart: Date, bEnd: Date): boolean {
  return aStart < bEnd && bStart < aEnd;
}

const dayLabel = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
const dayShort = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric" });
const longDay = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });
const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const range = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });

export const formatDay = (date: Date) => dayLabel.format(date);
export const formatDayShort = (date: Date) => dayShort.format(date);
export const formatLongDay = (date: Date) => longDay.format(date);
export const formatTime = (date: Date) => time.format(date);

export function formatWeek(start: Date): string {
  return `${range.format(start)} – ${range.format(addDays(start, 6))}`;
}

/** "Tue 5 May 10:00 – 12:00", or with both days when it spans more than one. */
export function formatPeriod(start: Date, end: Date): string {
  const sameDay = isoDate(start) === isoDate(new Date(end.getTime() - 1));
  return sameDay
    ? `${formatDay(start)} ${formatTime(start)} – ${formatTime(end)}`
    : `${formatDay(start)} ${formatTime(start)} – ${formatDay(end)} ${formatTime(end)}`;
}
