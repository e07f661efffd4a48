import { useQuery } from "@tanstack/react-query";
import { useMemo, useState, type ChangeEvent, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { ErrorNotice, Loading } from "@/components/Status";
import { ChangeState, newKey, queuedNotice, useOnline, useQueueChange, useQueuedChanges } from "@/lib/offline";

import {
  inspectableVehiclesQueryOptions,
  inspectionFormQueryOptions,
  submitChange,
  type InspectionForm,
  type InspectionKind,
  type TemplateItem,
  type Vehicle,
} from "../api";
import { EMPTY, failures, sections, submission, unanswered, type Answer, type Answers, type Result } from "../inspection";
import { PhotoProblem, readPhoto } from "../photos";
import "./inspections.css";

const RESULTS: [Result, string][] = [
  ["pass", "Pass"],
  ["fail", "Fail"],
  ["na", "N/A"],
];

export function vehicleLabel(vehicle: Pick<Vehicle, "plate" | "name" | "vin"> | undefined): string {
  return vehicle?.plate || vehicle?.name || vehicle?.vin || "Vehicle";
}

/** The driver's inspection (DVIR): pick the vehicle and when, answer each item, send. */
export function InspectionPage() {
  const [params, setParams] = useSearchParams();
  const vehicleId = params.get("vehicle") ?? "";
  const kind: InspectionKind = params.get("kind") === "post_trip" ? "post_trip" : "pre_trip";
  const vehicles = useQuery(inspectableVehiclesQueryOptions());
  const form = useQuery(inspectionFormQueryOptions(vehicleId, kind));
  const vehicle = vehicles.data?.items.find((v) => v.id === vehicleId);

  const choose = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    setParams(next, { replace: true });
  };

  return (
    <section className="inspection-page">
      <h1>Vehicle inspection</h1>
      <p className="inspection-links">
        <Link to="/defects">Defects</Link>
      </p>
      <div className="inspection-setup">
        <label className="inspection-field">
          <span>Vehicle</span>
          <select value={vehicleId} onChange={(e) => choose("vehicle", e.target.value)}>
            <option value="">Choose a vehicle…</option>
            {vehicles.data?.items.map((v) => (
              <option key={v.id} value={v.id}>
                {vehicleLabel(v)}
                {v.make ? ` · ${v.make} ${v.model ?? ""}` : ""}
              </option>
            ))}
          </select>
        </label>
        <div className="inspection-kind" role="group" aria-label="When">
          {(
            [
              ["pre_trip", "Before the trip"],
              ["post_trip", "After the trip"],
            ] as const
          ).map(([value, label]) => (
            <button
              key={value}
              type="button"
              className="touch"
              aria-pressed={kind === value}
              onClick={() => choose("kind", value)}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      {vehicles.isError && <ErrorNotice error={vehicles.error} />}
      {!vehicleId ? null : form.isPending ? (
        <Loading label="Loading the checklist…" />
      ) : form.isError ? (
        <ErrorNotice error={form.error} title="The checklist could not be loaded" />
      ) : (
        <Checklist key={`${vehicleId}:${kind}`} form={form.data} label={vehicleLabel(vehicle)} />
      )}
    </section>
  );
}

function Checklist({ form, label }: { form: InspectionForm; label: string }) {
  const queueChange = useQueueChange();
  const online = useOnline();
  const changes = useQueuedChanges();
  const [key, setKey] = useState(newKey);
  const [answers, setAnswers] = useState<Answers>({});
  const [notes, setNotes] = useState("");
  const [odometer, setOdometer] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [sentId, setSentId] = useState<string | null>(null);
  const items = form.template.items;
  const counts = failures(items, answers);
  const sent = useMemo(() => changes.find((c) => c.id === sentId), [changes, sentId]);

  const set = (item: TemplateItem, change: Partial<Answer>) =>
    setAnswers((all) => ({ ...all, [item.id]: { ...EMPTY, ...all[item.id], ...change } }));

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = unanswered(items, answers);
    if (missing.length) {
      setProblem(`Answer every item first: ${missing.map((i) => i.label).join("; ")}.`);
      document.getElementById(`item-${missing[0]?.id ?? ""}`)?.scrollIntoView?.({ block: "center" });
      return;
    }
    setProblem(null);
    const body = submission(form, answers, {
      notes,
      odometerKm: odometer,
      performedAt: new Date().toISOString(),
    });
    const change = await queueChange(submitChange(body, label, key));
    setSentId(change.id);
  };

  const startAgain = () => {
    setKey(newKey());
    setAnswers({});
    setNotes("");
    setOdometer("");
    setSentId(null);
  };

  if (sent) {
    return (
      <div className="inspection-done" role="status">
        <p>
          {queuedNotice(
            `Inspection of ${label} saved${counts.failed ? ` with ${counts.failed} defect${counts.failed === 1 ? "" : "s"}` : ""}.`,
            online,
          )}
        </p>
        <p>
          <ChangeState change={sent} />
        </p>
        {counts.critical > 0 && (
          <p className="inspection-warning">
            A critical defect: the vehicle is out of service until a mechanic signs it off.
          </p>
        )}
        <button type="button" className="touch" onClick={startAgain}>
          Start another inspection
        </button>
      </div>
    );
  }

  return (
    <form className="inspection-form" onSubmit={onSubmit} noValidate>
      <p className="inspection-template">{form.template.name}</p>
      <Odometer form={form} value={odometer} onChange={setOdometer} />
      {sections(items).map(([section, sectionItems]) => (
        <fieldset key={section || "-"} className="inspection-section">
          {section && <legend>{section}</legend>}
          {sectionItems.map((item) => (
            <ItemRow key={item.id} item={item} answer={answers[item.id] ?? EMPTY} onChange={(c) => set(item, c)} />
          ))}
        </fieldset>
      ))}
      <label className="inspection-field">
        <span>Notes (optional)</span>
        <textarea value={notes} maxLength={2000} rows={2} onChange={(e) => setNotes(e.target.value)} />
      </label>
      {problem && (
        <p className="inspection-problem" role="alert">
          {problem}
        </p>
      )}
      <div className="inspection-submit">
        <span>
          {unanswered(items, answers).length} of {items.length} to answer
          {counts.failed > 0 && ` · ${counts.failed} defect${counts.failed === 1 ? "" : "s"}`}
        </span>
        <button type="submit" className="touch primary">
          Submit inspection
        </button>
      </div>
    </form>
  );
}

function Odometer({ form, value, onChange }: { form: InspectionForm; value: string; onChange: (v: string) => void }) {
  if (form.odometer_km !== null && form.odometer_source !== "none") {
    const km = Number(form.odometer_km).toLocaleString(undefined, { maximumFractionDigits: 1 });
    return (
      <p className="inspection-odometer">
        Odometer <strong>{km} km</strong>{" "}
        <span>({form.odometer_source === "tracker" ? "from the tracker" : "from the vehicle record"})</span>
      </p>
    );
  }
  return (
    <label className="inspection-field">
      <span>Odometer (km)</span>
      <input inputMode="decimal" type="number" min={0} step="0.1" value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

function ItemRow({
  item,
  answer,
  onChange,
}: {
  item: TemplateItem;
  answer: Answer;
  onChange: (change: Partial<Answer>) => void;
}) {
  const [photoProblem, setPhotoProblem] = useState<string | null>(null);
  const name = `item-${item.id}`;
  const addPhotos = async (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = "";
    try {
      const read = await Promise.all(files.map(readPhoto));
      onChange({ photos: [...answer.photos, ...read].slice(0, 4) });
      setPhotoProblem(null);
    } catch (error) {
      setPhotoProblem(error instanceof PhotoProblem ? error.message : "The photo could not be read.");
    }
  };
  return (
    <fieldset id={name} className={`inspection-item result-${answer.result ?? "none"}`}>
      <legend>
        {item.label}
        {item.critical && <span className="badge critical">Critical</span>}
      </legend>
      <div className="inspection-choices">
        {RESULTS.map(([result, label]) => (
          <label key={result} className={`touch choice choice-${result}`}>
            <input
              type="radio"
              name={name}
              value={result}
              checked={answer.result === result}
              onChange={() => onChange({ result })}
            />
            {label}
          </label>
        ))}
      </div>
      {answer.result === "fail" && (
        <div className="inspection-defect">
          <label className="inspection-field">
            <span>What is wrong?</span>
            <textarea value={answer.note} maxLength={2000} rows={2} onChange={(e) => onChange({ note: e.target.value })} />
          </label>
          <label className="touch photo-add">
            Add photo
            <input type="file" accept="image/jpeg,image/png,image/webp,image/heic,image/heif" capture="environment" multiple onChange={addPhotos} />
          </label>
          {photoProblem && (
            <p className="inspection-problem" role="alert">
              {photoProblem}
            </p>
          )}
          {answer.photos.length > 0 && (
            <ul className="inspection-photos">
              {answer.photos.map((photo, index) => (
                <li key={index}>
                  <img src={`data:${photo.content_type};base64,${photo.data}`} alt={`${item.label}, ${index + 1}`} />
                  <button
                    type="button"
                    onClick={() => onChange({ photos: answer.photos.filter((_, i) => i !== index) })}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </fieldset>
  );
}
