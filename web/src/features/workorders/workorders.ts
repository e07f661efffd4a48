/** A work order's rules as the screens need them: its workflow, money and downtime in words. */
import type { WorkOrder, WorkOrderLine, WorkOrderStatus } from "./api";

/** The workflow's arrows (the server answers 409 invalid_transition to any other move). */
export const TRANSITIONS: Record<WorkOrderStatus, readonly WorkOrderStatus[]> = {
  open: ["in_progress", "cancelled"],
  in_progress: ["completed", "cancelled"],
  completed: [],
  cancelled: [],
};

/** The button that makes each move, in words. */
export const MOVE_LABEL: Record<WorkOrderStatus, string> = {
  open: "Reopen",
  in_progress: "Start work",
  completed: "Complete",
  cancelled: "Cancel work order",
};

export const STATUS_LABEL: Record<WorkOrderStatus, string> = {
  open: "Open",
  in_progress: "In progress",
  completed: "Completed",
  cancelled: "Cancelled",
};

export function allowedMoves(status: WorkOrderStatus): readonly WorkOrderStatus[] {
  return TRANSITIONS[status];
}

/** Money from the API (a decimal string) in the tenant's currency. */
export function formatMoney(amount: string | number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(value)) return "—";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

/** A decimal string or number to whole cents (no float drift in sums). */
export function toCents(value: string | number | null | undefined): number {
  if (value === null || value === undefined || value === "") return 0;
  const text = typeof value === "number" ? value.toFixed(4) : value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) return Number.NaN;
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = text.replace("-", "").split(".");
  const cents = Number(whole) * 100 + Number((fraction + "000").slice(0, 3)) / 10;
  return (negative ? -1 : 1) * Math.round(cents);
}

export function fromCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** A line's amount: hours × rate for labour, quantity × unit cost for a part, to the cent. */
export function lineAmount(line: { kind: "labour" | "part"; hours?: string | null; rate?: string | null; quantity?: string | null; unit_cost?: string | null }): string {
  const [a, b] = line.kind === "labour" ? [line.hours, line.rate] : [line.quantity, line.unit_cost];
  const x = Number(a ?? 0);
  const y = toCents(b ?? 0);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return "0.00";
  return fromCents(Math.round(x * y));
}

export interface Totals {
  labour: string;
  parts: string;
  total: string;
}

/** Labour, parts and the whole from the lines' amounts (what the server's totals must equal). */
export function totals(lines: readonly Pick<WorkOrderLine, "kind" | "amount">[]): Totals {
  let labour = 0;
  let parts = 0;
  for (const line of lines) {
    if (line.kind === "labour") labour += toCents(line.amount);
    else parts += toCents(line.amount);
  }
  return { labour: fromCents(labour), parts: fromCents(parts), total: fromCents(labour + parts) };
}

/** Downtime in words: from out of service to back (or to now while still out). */
export function downtime(order: Pick<WorkOrder, "out_of_service_from" | "out_of_service_until">, now = Date.now()): string | null {
  if (!order.out_of_service_from) return null;
  const start = Date.parse(order.out_of_service_from);
  const end = order.out_of_service_until ? Date.parse(order.out_of_service_until) : now;
  if (end <= start) return order.out_of_service_until ? "0 h" : "Not yet out of service";
  const hours = Math.round((end - start) / 3_600_000);
  const words = hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days ${hours % 24} h`;
  return order.out_of_service_until ? words : `${words} so far`;
}

/** A `datetime-local` input's value for an ISO time (local), and back to ISO with its offset. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
