import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { formatDateTime, humanize } from "@/lib/format";
import { ChangeState, useChangesFor, useQueueChange } from "@/lib/offline";

import { defectChange, defectsQueryOptions, inspectableVehiclesQueryOptions, photoUrl, type Defect, type DefectStep } from "../api";
import { vehicleLabel } from "./InspectionPage";
import "./inspections.css";

/** Defects from inspections, for mechanics: acknowledge, open a work order, sign off. */
export function DefectsPage() {
  const [open, setOpen] = useState(true);
  const defects = useQuery(defectsQueryOptions({ open }));
  const vehicles = useQuery(inspectableVehiclesQueryOptions());
  const labels = new Map(vehicles.data?.items.map((v) => [v.id, vehicleLabel(v)]) ?? []);
  return (
    <section className="defects-page">
      <h1>Defects</h1>
      <p className="inspection-links">
        <Link to="/inspections">New inspection</Link>
      </p>
      <div className="inspection-kind" role="group" aria-label="Which defects">
        <button type="button" className="touch" aria-pressed={open} onClick={() => setOpen(true)}>
          Open
        </button>
        <button type="button" className="touch" aria-pressed={!open} onClick={() => setOpen(false)}>
          All
        </button>
      </div>
      {defects.isPending ? (
        <Loading />
      ) : defects.isError ? (
        <ErrorNotice error={defects.error} />
      ) : defects.data.items.length === 0 ? (
        <p>{open ? "No open defects." : "No defects reported."}</p>
      ) : (
        <ul className="defect-list">
          {defects.data.items.map((defect) => (
            <DefectCard key={defect.id} defect={defect} label={labels.get(defect.vehicle_id) ?? "Vehicle"} />
          ))}
        </ul>
      )}
    </section>
  );
}

function DefectCard({ defect, label }: { defect: Defect; label: string }) {
  const access = useAccess();
  const queueChange = useQueueChange();
  const changes = useChangesFor("defect", defect.id);
  const [note, setNote] = useState("");
  const signedOff = defect.status === "resolved" || defect.status === "no_repair_needed";
  const step = (action: DefectStep) => void queueChange(defectChange(defect, action, label));
  const latest = changes.at(-1);
  return (
    <li className={`defect-card${defect.critical ? " critical" : ""}`} aria-label={`${defect.label} on ${label}`}>
      <h2>
        {label}: {defect.section ? `${defect.section}: ` : ""}
        {defect.label}
      </h2>
      <p className="defect-badges">
        {defect.critical && <span className="badge critical">Critical</span>}
        {defect.out_of_service && !signedOff && <span className="badge critical">Out of service</span>}
        <span className="badge">{humanize(defect.status)}</span>
        <span>Reported {formatDateTime(defect.created_at)}</span>
      </p>
      {defect.note && <p className="defect-note">“{defect.note}”</p>}
      {defect.photos.length > 0 && (
        <ul className="inspection-photos">
          {defect.photos.map((photo, index) => (
            <li key={photo.id}>
              <a href={photoUrl(defect.id, photo.id)} target="_blank" rel="noreferrer">
                <img src={photoUrl(defect.id, photo.id)} alt={`${defect.label}, ${index + 1}`} loading="lazy" />
              </a>
            </li>
          ))}
        </ul>
      )}
      {signedOff && (
        <p>
          Signed off {defect.signed_off_at ? formatDateTime(defect.signed_off_at) : ""}
          {defect.sign_off_note ? `: “${defect.sign_off_note}”` : ""}
        </p>
      )}
      {latest && (
        <p>
          <ChangeState change={latest} />
        </p>
      )}
      {access.can("inspections:manage") && !signedOff && (
        <div className="defect-actions">
          {defect.status === "open" && (
            <button type="button" className="touch" onClick={() => step({ step: "acknowledge" })}>
              Acknowledge
            </button>
          )}
          {defect.status !== "work_order_created" && (
            <button type="button" className="touch" onClick={() => step({ step: "work-order", note })}>
              Create work order
            </button>
          )}
          <label className="inspection-field">
            <span>Sign-off note</span>
            <textarea value={note} rows={2} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="button" className="touch primary" onClick={() => step({ step: "sign-off", outcome: "resolved", note })}>
            Repaired: sign off
          </button>
          <button type="button" className="touch" onClick={() => step({ step: "sign-off", outcome: "no_repair_needed", note })}>
            No repair needed
          </button>
        </div>
      )}
    </li>
  );
}
