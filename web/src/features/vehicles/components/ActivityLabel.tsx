import type { CSSProperties } from "react";

import { activityStatus, STATUS_STYLE, type Activity } from "@/lib/vehicleStatus";

/** A vehicle's state as the map colours it: a dot and its word (the colour is never alone). */
export function ActivityLabel({ activity }: { activity: Activity }) {
  const style = STATUS_STYLE[activityStatus(activity)];
  return (
    <span className="activity" title={style.description}>
      <span className="activity-dot" style={{ "--dot": style.color } as CSSProperties} aria-hidden="true" />
      {style.label}
    </span>
  );
}
