import { useCallback } from "react";

import { useChangesFor, useQueueChange } from "@/lib/offline";

import { workOrdersKey, type WorkOrder } from "./api";

export type WorkOrderPatch = Record<string, unknown>;

/**
 * Edits of one work order through the offline queue: sent now, or when the network is back
 * (even with the app closed), exactly once; ordered per work order.
 */
export function useWorkOrderEdit(order: Pick<WorkOrder, "id" | "number">) {
  const queueChange = useQueueChange();
  const changes = useChangesFor("work_order", order.id);
  const edit = useCallback(
    (patch: WorkOrderPatch, describe: string) =>
      queueChange({
        kind: "work-orders.update",
        method: "PATCH",
        path: `/api/v1/work-orders/${order.id}`,
        body: patch,
        describe: `${describe} (work order ${order.number})`,
        entity: { type: "work_order", id: order.id, read: `/api/v1/work-orders/${order.id}` },
        invalidates: [[...workOrdersKey], ["vehicle-maintenance"], ["maintenance"], ["parts"]],
      }),
    [queueChange, order.id, order.number],
  );
  return { edit, changes };
}
