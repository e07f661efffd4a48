import { humanize } from "@/lib/format";

import type { Alert, Severity } from "../api";

/** Each severity by its shape as well as its colour (never colour alone). */
const ICONS: Record<Severity, string> = {
  // a triangle with an exclamation mark
  critical: "M12 2.5 1.5 21h21L12 2.5Zm-1 6.5h2v6h-2V9Zm0 8h2v2h-2v-2Z",
  // a circle with an exclamation mark
  warning: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm-1 5h2v7h-2V7Zm0 9h2v2h-2v-2Z",
  // a circle with an i
  info: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm-1 5h2v2h-2V7Zm0 4h2v6h-2v-6Z",
};

/** An open critical alert: the one that must look urgent. */
export function isOpenCritical(alert: Pick<Alert, "severity" | "state">): boolean {
  return alert.severity === "critical" && alert.state === "open";
}

/** The severity as an icon and a word; an open critical alert's is solid red. */
export function SeverityBadge({ alert }: { alert: Pick<Alert, "severity" | "state"> }) {
  const urgent = isOpenCritical(alert);
  return (
    <span className={`badge badge-${alert.severity} severity${urgent ? " severity-urgent" : ""}`}>
      <svg className="severity-icon" viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" focusable="false">
        <path d={ICONS[alert.severity]} fill="currentColor" fillRule="evenodd" />
      </svg>
      {humanize(alert.severity)}
    </span>
  );
}
