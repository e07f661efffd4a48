import { humanize } from "@/lib/format";

import type { Priority, WorkOrderStatus } from "../api";
import { STATUS_LABEL } from "../workorders";

const STATUS_CLASS: Record<WorkOrderStatus, string> = {
  open: "badge-info",
  in_progress: "badge-warning",
  completed: "badge-active",
  cancelled: "badge-retired",
};

export function StatusBadge({ status }: { status: WorkOrderStatus }) {
  return <span className={`badge ${STATUS_CLASS[status]}`}>{STATUS_LABEL[status]}</span>;
}

export function PriorityText({ priority }: { priority: Priority }) {
  return <span className={priority === "urgent" || priority === "high" ? "wo-priority-high" : undefined}>{humanize(priority)}</span>;
}
