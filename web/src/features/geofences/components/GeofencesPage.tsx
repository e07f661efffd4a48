import { useQuery } from "@tanstack/react-query";
import type { Map as MapLibreMap } from "maplibre-gl";
import { useCallback, useEffect, useMemo, useRef, useState, type ComponentType, type ReactNode } from "react";

import { NoAccess } from "@/components/NoAccess";
import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { errorMessage, isApiError } from "@/lib/api";
import { fieldErrors } from "@/lib/formErrors";

import { allGeofencesQueryOptions, useCreateGeofence, useDeleteGeofence, useUpdateGeofence, type Geofence } from "../api";
import { bodyOf, checkForm, EMPTY_FORM, formOf, summary, type FieldErrors, type FormState } from "../form";
import {
  boxOf,
  destination,
  distinctVertices,
  fromGeometry,
  reasonText,
  round7,
  validateDraft,
  type Draft,
  type Position,
} from "../geometry";
import "./geofences.css";
import { DEFAULT_RADIUS_M, GeofenceLayers, type Mode } from "./GeofenceLayers";
import { GeofenceEditor } from "./GeofenceEditor";
import { InsideNow } from "./InsideNow";

type Box = [number, number, number, number];

/** A server refusal of the shape: its reason and, for a crossing, where. */
interface ShapeRefusal {
  reason: string;
  at: Position | null;
}

function refusalOf(error: unknown): ShapeRefusal | null {
  if (!isApiError(error) || error.code !== "invalid_geometry") return null;
  const reason = typeof error.details.reason === "string" ? error.details.reason : "invalid_polygon";
  const at = error.details.at;
  const where =
    Array.isArray(at) && at.length === 2 && at.every((v) => typeof v === "number") ? (at as Position) : null;
  return { reason, at: where };
}

/** A square of about 200 m around a point: where a keyboard user's polygon starts. */
function squareAround(center: Position): Position[] {
  return [315, 45, 135, 225].map((bearing) => {
    const p = destination(center, 141, bearing);
    return [round7(p[0]), round7(p[1])];
  });
}

/** The map the app composes in: the product's basemap, its layers drawn once loaded. */
export type GeofenceMapFrame = ComponentType<{ children: (map: MapLibreMap) => ReactNode }>;

/**
 * The tenant's geofences on the map with their list beside it: draw a circle or a polygon,
 * move its points, set its rules, save; who is inside now; delete. Every shape is checked
 * here as the server checks it, so most mistakes show while drawing.
 */
export function GeofencesPage({ MapFrame }: { MapFrame: GeofenceMapFrame }) {
  const access = useAccess();
  const canRead = access.can("geofences:read");
  const canManage = access.can("geofences:manage");
  const fences = useQuery({ ...allGeofencesQueryOptions(), enabled: canRead });
  const create = useCreateGeofence();
  const update = useUpdateGeofence();
  const remove = useDeleteGeofence();

  const [editing, setEditing] = useState<Geofence | "new" | null>(null);
  const [draft, setDraftState] = useState<Draft | null>(null);
  const [form, setForm] = useState<FormState>(EMPTY_FORM);
  const [mode, setMode] = useState<Mode>("idle");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusal, setRefusal] = useState<ShapeRefusal | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [focus, setFocus] = useState<Box | null>(null);
  const [filter, setFilter] = useState("");
  const [announcement, setAnnouncement] = useState("");
  const mapCenter = useRef<() => Position>(() => [24.94, 60.17]);

  const setDraft = useCallback((next: Draft) => {
    setDraftState(next);
    setRefusal(null); // the server's reason was about the shape as it was
  }, []);

  const close = useCallback(() => {
    setEditing(null);
    setDraftState(null);
    setMode("idle");
    setErrors({});
    setRefusal(null);
    setSaveError(null);
  }, []);

  const open = useCallback((fence: Geofence) => {
    const shape = fromGeometry(fence.geometry, fence.radius_m);
    setEditing(fence);
    setDraftState(shape);
    setForm(formOf(fence));
    setMode("idle");
    setErrors({});
    setRefusal(null);
    setSaveError(null);
    if (shape) setFocus(boxOf(shape));
  }, []);

  const start = (shape: "circle" | "polygon") => {
    setEditing("new");
    setDraftState(null);
    setForm(EMPTY_FORM);
    setErrors({});
    setRefusal(null);
    setSaveError(null);
    setMode(shape);
    setAnnouncement(
      shape === "circle"
        ? "Drawing a circle: press on the map at its centre and drag out its radius."
        : "Drawing a polygon: click each corner on the map; double-click or press Enter to close it.",
    );
  };

  /** The keyboard's way to draw: a shape at the map's centre, then its numbers. */
  const placeAtCenter = () => {
    const center = mapCenter.current();
    const at: Position = [round7(center[0]), round7(center[1])];
    setDraft(
      mode === "circle" ? { shape: "circle", center: at, radiusM: DEFAULT_RADIUS_M } : { shape: "polygon", vertices: squareAround(at) },
    );
    setMode("idle");
  };

  const finishDrawing = useCallback(() => {
    setMode("idle");
    setAnnouncement("Shape drawn. Drag its points to adjust, then fill in the details and save.");
  }, []);

  useEffect(() => {
    if (mode === "idle") return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        close();
        setAnnouncement("Drawing cancelled.");
      } else if (event.key === "Enter" && mode === "polygon" && draft) {
        const target = event.target as HTMLElement | null;
        if (target && ["INPUT", "BUTTON", "SELECT", "TEXTAREA", "A"].includes(target.tagName)) return;
        event.preventDefault();
        finishDrawing();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [mode, draft, close, finishDrawing]);

  // Our own check of the shape, shown as it changes (not while a polygon is still being clicked out).
  const localProblem = useMemo(() => (draft && mode === "idle" ? validateDraft(draft) : null), [draft, mode]);
  const problem = refusal ?? (localProblem ? { reason: localProblem.reason, at: localProblem.at ?? null } : null);

  const save = async () => {
    if (!draft) return;
    const found = checkForm(form);
    setErrors(found);
    setSaveError(null);
    if (localProblem || Object.keys(found).length) return;
    const body = bodyOf(form, draft);
    try {
      if (editing === "new") {
        const created = await create.mutateAsync(body);
        open(created);
        setAnnouncement(`Saved ${created.name}.`);
      } else if (editing) {
        const saved = await update.mutateAsync({ id: editing.id, body: { ...body, version: editing.version } });
        open(saved);
        setAnnouncement(`Saved ${saved.name}.`);
      }
    } catch (error) {
      const refused = refusalOf(error);
      if (refused) {
        setRefusal(refused);
        return;
      }
      const byField = fieldErrors(error);
      setErrors({
        name: byField.name,
        colour: byField.colour,
        groupIds: byField.group_ids,
        speedLimit: byField.speed_limit_kmh,
        dwellMinutes: byField.dwell_minutes,
        activeHours: byField.active_hours,
      });
      setSaveError(
        isApiError(error) && error.code === "version_conflict"
          ? "Someone else changed this geofence since you opened it. Cancel and open it again."
          : errorMessage(error),
      );
    }
  };

  const deleteFence = async () => {
    if (!editing || editing === "new") return;
    try {
      await remove.mutateAsync(editing.id);
      setAnnouncement(`Deleted ${editing.name}.`);
      close();
    } catch (error) {
      setSaveError(errorMessage(error));
    }
  };

  if (!canRead) return <NoAccess role={access.role} what="geofences" />;

  const list = (fences.data ?? []).filter((f) => f.name.toLowerCase().includes(filter.trim().toLowerCase()));
  const editingId = editing && editing !== "new" ? editing.id : null;

  const map = (
    <MapFrame>
      {(loaded) => (
        <GeofenceLayers
          map={loaded}
          fences={fences.data ?? []}
          editingId={editingId}
          draft={draft}
          mode={mode}
          problemAt={problem?.at ?? null}
          colour={form.colour}
          onDraft={setDraft}
          onDrawn={finishDrawing}
          onPick={(id) => {
            const fence = fences.data?.find((f) => f.id === id);
            if (fence && mode === "idle" && !editing) open(fence);
          }}
          focus={focus}
          centerRef={mapCenter}
        />
      )}
    </MapFrame>
  );

  const drawing = mode !== "idle";
  const points = draft?.shape === "polygon" ? distinctVertices(draft.vertices).length : 0;

  return (
    <div className="map-page geofences-page page-fill">
      <div className="map-toolbar">
        <h1>Geofences</h1>
        {canManage ? (
          <div className="actions">
            <button type="button" className="button" onClick={() => start("circle")} disabled={drawing}>
              New circle
            </button>
            <button type="button" className="button" onClick={() => start("polygon")} disabled={drawing}>
              New polygon
            </button>
          </div>
        ) : null}
        <p className="visually-hidden" role="status" aria-live="polite">
          {announcement}
        </p>
      </div>
      <div className={editing ? "map-body geofences-body geofences-body-editing" : "map-body geofences-body"}>
        <section className="geofence-list" aria-label="Geofences">
          <label htmlFor="geofence-filter" className="visually-hidden">
            Find a geofence
          </label>
          <input
            id="geofence-filter"
            type="search"
            placeholder="Find by name"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          {fences.isPending ? (
            <Loading label="Loading geofences…" />
          ) : fences.isError ? (
            <ErrorNotice error={fences.error} title="The geofences could not load." />
          ) : list.length === 0 ? (
            <p className="hint">{filter ? "No geofence has that name." : "No geofences yet."}</p>
          ) : (
            <ul>
              {list.map((fence) => (
                <li key={fence.id}>
                  <button
                    type="button"
                    className="geofence-row"
                    aria-current={fence.id === editingId ? "true" : undefined}
                    onClick={() => open(fence)}
                    disabled={drawing}
                  >
                    <span className="geofence-swatch" style={{ background: fence.colour }} aria-hidden="true" />
                    <span className="geofence-row-text">
                      <span className="geofence-name">{fence.name}</span>
                      <span className="hint">{summary(fence)}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="map-stage" aria-label="Map">
          {drawing ? (
            <div className="geofence-drawing" role="group" aria-label="Drawing">
              <p>
                {mode === "circle"
                  ? "Press on the map at the centre and drag out the radius."
                  : `Click each corner; double-click or press Enter to close (${points} point${points === 1 ? "" : "s"}).`}
              </p>
              <div className="actions">
                {mode === "polygon" && points >= 3 ? (
                  <button type="button" className="button button-primary button-small" onClick={finishDrawing}>
                    Close the outline
                  </button>
                ) : null}
                <button type="button" className="button button-small" onClick={placeAtCenter}>
                  {mode === "circle" ? "Place at the map's centre" : "Start with a square at the map's centre"}
                </button>
                <button type="button" className="button-quiet button-small" onClick={close}>
                  Cancel
                </button>
              </div>
            </div>
          ) : null}
          {map}
        </section>
        {editing && draft && !drawing ? (
          <aside className="geofence-panel" aria-label="Geofence">
            <GeofenceEditor
              isNew={editing === "new"}
              draft={draft}
              form={form}
              errors={errors}
              shapeProblem={problem ? reasonText(problem.reason) : null}
              saveError={saveError}
              canManage={canManage}
              saving={create.isPending || update.isPending}
              deleting={remove.isPending}
              onDraft={setDraft}
              onForm={setForm}
              onSave={() => void save()}
              onCancel={close}
              onDelete={() => void deleteFence()}
            />
            {editing !== "new" && !(remove.variables === editing.id && !remove.isError) ? (
              <InsideNow geofenceId={editing.id} />
            ) : null}
          </aside>
        ) : null}
      </div>
    </div>
  );
}
