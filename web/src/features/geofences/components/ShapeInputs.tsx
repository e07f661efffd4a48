import { useId } from "react";

import { distinctVertices, round7, type Draft, type Position } from "../geometry";

/** A number input's text → a number, or NaN while half typed. */
function parse(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text);
}

/** A new vertex between the last and the first (so the outline stays simple), or beside the only one. */
function nextVertex(vertices: Position[]): Position {
  const last = vertices[vertices.length - 1];
  const first = vertices[0];
  if (last && first && vertices.length > 1) return [round7((last[0] + first[0]) / 2), round7((last[1] + first[1]) / 2)];
  if (last) return [round7(last[0] + 0.001), round7(last[1])];
  return [24.94, 60.17];
}

/**
 * The shape as numbers: a circle's centre and radius, a polygon's vertices, each editable
 * from the keyboard (the map's dragging has these as its accessible alternative).
 */
export function ShapeInputs({ draft, onDraft }: { draft: Draft; onDraft: (draft: Draft) => void }) {
  const id = useId();
  if (draft.shape === "circle") {
    return (
      <fieldset className="geofence-shape-inputs">
        <legend>Circle</legend>
        <div className="geofence-coords">
          <label htmlFor={`${id}-lat`}>Centre latitude</label>
          <input
            id={`${id}-lat`}
            type="number"
            step="any"
            min={-85}
            max={85}
            value={Number.isNaN(draft.center[1]) ? "" : round7(draft.center[1])}
            onChange={(e) => onDraft({ ...draft, center: [draft.center[0], parse(e.target.value)] })}
          />
          <label htmlFor={`${id}-lon`}>Centre longitude</label>
          <input
            id={`${id}-lon`}
            type="number"
            step="any"
            min={-180}
            max={180}
            value={Number.isNaN(draft.center[0]) ? "" : round7(draft.center[0])}
            onChange={(e) => onDraft({ ...draft, center: [parse(e.target.value), draft.center[1]] })}
          />
          <label htmlFor={`${id}-radius`}>Radius (m)</label>
          <input
            id={`${id}-radius`}
            type="number"
            step="1"
            min={5}
            max={100000}
            value={Number.isNaN(draft.radiusM) ? "" : draft.radiusM}
            onChange={(e) => onDraft({ ...draft, radiusM: parse(e.target.value) })}
          />
        </div>
      </fieldset>
    );
  }
  const count = distinctVertices(draft.vertices).length;
  return (
    <fieldset className="geofence-shape-inputs">
      <legend>
        Polygon, {count} point{count === 1 ? "" : "s"}
      </legend>
      <ol className="geofence-vertices">
        {draft.vertices.map((vertex, index) => (
          <li key={index}>
            <label htmlFor={`${id}-${index}-lat`} className="visually-hidden">
              Point {index + 1} latitude
            </label>
            <input
              id={`${id}-${index}-lat`}
              type="number"
              step="any"
              value={Number.isNaN(vertex[1]) ? "" : round7(vertex[1])}
              onChange={(e) =>
                onDraft({
                  ...draft,
                  vertices: draft.vertices.map((v, i) => (i === index ? [v[0], parse(e.target.value)] : v)),
                })
              }
            />
            <label htmlFor={`${id}-${index}-lon`} className="visually-hidden">
              Point {index + 1} longitude
            </label>
            <input
              id={`${id}-${index}-lon`}
              type="number"
              step="any"
              value={Number.isNaN(vertex[0]) ? "" : round7(vertex[0])}
              onChange={(e) =>
                onDraft({
                  ...draft,
                  vertices: draft.vertices.map((v, i) => (i === index ? [parse(e.target.value), v[1]] : v)),
                })
              }
            />
            <button
              type="button"
              className="button-quiet button-small"
              aria-label={`Remove point ${index + 1}`}
              onClick={() => onDraft({ ...draft, vertices: draft.vertices.filter((_, i) => i !== index) })}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="button button-small"
        onClick={() => onDraft({ ...draft, vertices: [...draft.vertices, nextVertex(draft.vertices)] })}
      >
        Add a point
      </button>
    </fieldset>
  );
}
