import { formatDay } from "@/lib/dates";

import { licenceState } from "../api";

/** The licence's expiry, flagged when it has passed or is 30 days away or less. */
export function LicenceBadge({ expiry }: { expiry: string | null }) {
  const licence = licenceState(expiry);
  if (licence.state === "none") return <span className="muted">—</span>;
  if (licence.state === "ok") return <span>{formatDay(expiry)}</span>;
  const label =
    licence.state === "expired"
      ? `Expired ${licence.days === 0 ? "today" : `${licence.days} day${licence.days === 1 ? "" : "s"} ago`}`
      : licence.days === 0
        ? "Expires today"
        : `Expires in ${licence.days} day${licence.days === 1 ? "" : "s"}`;
  return (
    <span>
      {formatDay(expiry)}{" "}
      <span className={`badge badge-${licence.state}`}>{label}</span>
    </span>
  );
}
