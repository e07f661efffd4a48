import { queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";
import type { ChangeInput } from "@/lib/offline";

export type InspectionForm = Schemas["InspectionForm"];
export type InspectionKind = InspectionForm["kind"];
export type TemplateItem = Schemas["TemplateItem"];
export type InspectionSubmit = Schemas["InspectionSubmit"];
export type AnswerIn = Schemas["AnswerIn"];
export type PhotoIn = Schemas["PhotoIn"];
export type Inspection = Schemas["Inspection"];
export type Defect = Schemas["Defect"];
export type DefectStatus = Defect["status"];
export type Vehicle = Schemas["Vehicle"];

const inspectionsKey = ["inspections"] as const;
export const defectsKey = ["defects"] as const;

/** The driver's form for a vehicle: its checklist and its odometer (kept for offline use). */
export function inspectionFormQueryOptions(vehicleId: string, kind: InspectionKind) {
  return queryOptions({
    queryKey: [...inspectionsKey, "form", vehicleId, kind],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/inspections/form", {
          params: { query: { vehicle_id: vehicleId, kind } },
          signal,
        }),
      ),
    enabled: Boolean(vehicleId),
    staleTime: 60_000,
  });
}

/** Vehicles to inspect (the picker). */
export function inspectableVehiclesQueryOptions() {
  return queryOptions({
    queryKey: [...inspectionsKey, "vehicles"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/vehicles", { params: { query: { limit: 500, sort: "plate" } }, signal })),
    staleTime: 5 * 60_000,
  });
}

/** My recent inspections (a driver sees their own). */
export function recentInspectionsQueryOptions() {
  return queryOptions({
    queryKey: [...inspectionsKey, "recent"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/inspections", { params: { query: { limit: 20 } }, signal })),
  });
}

export interface DefectFilters {
  open: boolean;
}

export function defectsQueryOptions(filters: DefectFilters) {
  return queryOptions({
    queryKey: [...defectsKey, filters],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/defects", { params: { query: { open: filters.open, limit: 200 } }, signal }),
      ),
  });
}

export const photoUrl = (defectId: string, photoId: string) =>
  `/api/v1/defects/${defectId}/photos/${photoId}`;

/** A submitted inspection as an edit for the offline queue (one key per filled-in form). */
export function submitChange(body: InspectionSubmit, label: string, idempotencyKey: string): ChangeInput {
  return {
    kind: "inspections.submit",
    method: "POST",
    path: "/api/v1/inspections",
    body,
    describe: `Submit inspection of ${label}`,
    entity: { type: "inspection", id: idempotencyKey },
    invalidates: [inspectionsKey, defectsKey],
    idempotencyKey,
  };
}

export type DefectStep =
  | { step: "acknowledge" }
  | { step: "work-order"; note: string }
  | { step: "sign-off"; outcome: "resolved" | "no_repair_needed"; note: string };

/** A mechanic's step on a defect as an edit for the offline queue (in order per defect). */
export function defectChange(defect: Defect, action: DefectStep, label: string): ChangeInput {
  const { step, ...body } = action;
  const words = {
    acknowledge: "Acknowledge",
    "work-order": "Open a work order for",
    "sign-off": "Sign off",
  }[step];
  return {
    kind: `defects.${step}`,
    method: "POST",
    path: `/api/v1/defects/${defect.id}/${step}`,
    body,
    describe: `${words} defect “${defect.label}” on ${label}`,
    entity: { type: "defect", id: defect.id, read: `/api/v1/defects/${defect.id}` },
    invalidates: [defectsKey, inspectionsKey],
  };
}
