import { useQuery } from "@tanstack/react-query";

import { useAccess } from "@/lib/access";

import { openAlertCountQueryOptions } from "../api";
import "./badge.css";

/** The nav's count of open alerts nobody has acknowledged; nothing when there are none. */
export function OpenAlertsBadge() {
  const access = useAccess();
  const allowed = access.can("vehicles:read");
  const { data } = useQuery({ ...openAlertCountQueryOptions(), enabled: allowed });
  if (!allowed || !data || data.count === 0) return null;
  const shown = data.more ? `${data.count}+` : String(data.count);
  return (
    <span className="nav-badge">
      <span aria-hidden="true">{shown}</span>
      <span className="nav-badge-label">
        {`, ${shown} open unacknowledged alert${data.count === 1 && !data.more ? "" : "s"}`}
      </span>
    </span>
  );
}
