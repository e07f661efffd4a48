import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { ErrorNotice, Loading } from "@/components/Status";

import {
  depotsQueryOptions,
  driversQueryOptions,
  fleetVehiclesQueryOptions,
  lastPositionsQueryOptions,
  type Group,
  type Vehicle,
} from "../api";
import { formatClock, readClock } from "../csv";
import type { VehicleDraft } from "../plan";
import type { LatLon } from "../types";

const LAST = "last";
const SAME = "same";
/** Shown in the picker at once; a filter finds the rest. */
const SHOWN = 40;

export const vehicleLabel = (v: Pick<Vehicle, "plate" | "name" | "vin">) => v.plate || v.name || v.vin || "Vehicle";

interface Places {
  depots: Group[];
  positions: Map<string, LatLon>;
}

function placeOf(choice: string, vehicleId: string, places: Places): LatLon | null {
  if (choice === LAST) return places.positions.get(vehicleId) ?? null;
  const depot = places.depots.find((d) => d.id === choice);
  return depot && depot.latitude !== null && depot.longitude !== null
    ? { lat: Number(depot.latitude), lon: Number(depot.longitude) }
    : null;
}

/** A picked vehicle's draft, its places kept as choices (a depot's id or its last position). */
export interface PickedVehicle extends VehicleDraft {
  startChoice: string;
  endChoice: string;
}

function defaultChoice(vehicle: Vehicle, places: Places): string {
  const own = places.depots.find((d) => d.id === vehicle.group_id && d.latitude !== null);
  if (own) return own.id;
  if (places.positions.has(vehicle.id)) return LAST;
  return places.depots.find((d) => d.latitude !== null)?.id ?? LAST;
}

function pick(vehicle: Vehicle, places: Places, capacity: number[]): PickedVehicle {
  const choice = defaultChoice(vehicle, places);
  const start = placeOf(choice, vehicle.id, places);
  return {
    id: vehicleLabel(vehicle),
    label: vehicleLabel(vehicle),
    vehicleId: vehicle.id,
    driverId: "",
    startChoice: choice,
    endChoice: SAME,
    start,
    end: start,
    capacity,
    shift: [8 * 3600, 17 * 3600],
    costPerKm: 0.5,
    costPerHour: 25,
    skills: [],
  };
}

function readCapacity(text: string): number[] | null {
  const parts = text.split(/[,;/\s]+/).filter(Boolean).map(Number);
  return parts.length && parts.every((n) => Number.isInteger(n) && n >= 0) ? parts : null;
}

function PickedRow({
  draft,
  places,
  drivers,
  onChange,
  onRemove,
}: {
  draft: PickedVehicle;
  places: Places;
  drivers: { id: string; name: string }[];
  onChange: (next: PickedVehicle) => void;
  onRemove: () => void;
}) {
  const [capacityText, setCapacityText] = useState(draft.capacity.join(", "));
  const capacityOk = readCapacity(capacityText) !== null;
  const name = draft.label;
  const placeOptions = (
    <>
      {places.depots.map((d) => (
        <option key={d.id} value={d.id} disabled={d.latitude === null}>
          {d.name}
          {d.latitude === null ? " (no place set)" : ""}
        </option>
      ))}
      <option value={LAST} disabled={!places.positions.has(draft.vehicleId)}>
        Its last position{places.positions.has(draft.vehicleId) ? "" : " (none)"}
      </option>
    </>
  );
  const setStart = (choice: string) => {
    const start = placeOf(choice, draft.vehicleId, places);
    onChange({ ...draft, startChoice: choice, start, end: draft.endChoice === SAME ? start : draft.end });
  };
  const setEnd = (choice: string) =>
    onChange({ ...draft, endChoice: choice, end: choice === SAME ? draft.start : placeOf(choice, draft.vehicleId, places) });
  const setShift = (i: 0 | 1, text: string) => {
    const value = readClock(text);
    if (value === null) return;
    const shift: [number, number] = [...draft.shift];
    shift[i] = value;
    onChange({ ...draft, shift });
  };
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>
        <select aria-label={`${name} starts at`} value={draft.startChoice} onChange={(e) => setStart(e.target.value)}>
          {placeOptions}
        </select>
        {!draft.start ? <span className="field-error"> No place</span> : null}
      </td>
      <td>
        <select aria-label={`${name} ends at`} value={draft.endChoice} onChange={(e) => setEnd(e.target.value)}>
          <option value={SAME}>Where it starts</option>
          {placeOptions}
        </select>
      </td>
      <td>
        <input
          aria-label={`${name} capacity`}
          aria-invalid={capacityOk ? undefined : true}
          className="rp-narrow"
          value={capacityText}
          onChange={(e) => {
            setCapacityText(e.target.value);
            const capacity = readCapacity(e.target.value);
            if (capacity) onChange({ ...draft, capacity });
          }}
        />
      </td>
      <td className="rp-shift">
        <input aria-label={`${name} shift starts`} type="time" value={formatClock(draft.shift[0])} onChange={(e) => setShift(0, e.target.value)} />
        <input aria-label={`${name} shift ends`} type="time" value={formatClock(Math.min(draft.shift[1], 86340))} onChange={(e) => setShift(1, e.target.value)} />
      </td>
      <td>
        <input
          aria-label={`${name} cost per km`}
          className="rp-narrow"
          type="number"
          min={0}
          step="0.01"
          value={draft.costPerKm}
          onChange={(e) => onChange({ ...draft, costPerKm: Math.max(0, Number(e.target.value) || 0) })}
        />
      </td>
      <td>
        <input
          aria-label={`${name} cost per hour`}
          className="rp-narrow"
          type="number"
          min={0}
          step="0.5"
          value={draft.costPerHour}
          onChange={(e) => onChange({ ...draft, costPerHour: Math.max(0, Number(e.target.value) || 0) })}
        />
      </td>
      <td>
        <select aria-label={`${name} driver`} value={draft.driverId} onChange={(e) => onChange({ ...draft, driverId: e.target.value })}>
          <option value="">No driver yet</option>
          {drivers.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </td>
      <td>
        <button type="button" className="button-link" onClick={onRemove}>
          Remove {name}
        </button>
      </td>
    </tr>
  );
}

/** Vehicles picked from the fleet, each with where it starts and ends, capacity, shift, costs
 * and driver. */
export function VehiclesPicker({
  picked,
  onChange,
  dimensions,
}: {
  picked: PickedVehicle[];
  onChange: (next: PickedVehicle[]) => void;
  dimensions: number;
}) {
  const vehicles = useQuery(fleetVehiclesQueryOptions());
  const depots = useQuery(depotsQueryOptions());
  const drivers = useQuery(driversQueryOptions());
  const positions = useQuery(lastPositionsQueryOptions());
  const [filter, setFilter] = useState("");
  const places = useMemo<Places>(() => {
    const map = new Map<string, LatLon>();
    for (const v of positions.data?.items ?? [])
      if (v.state && v.state.latitude !== null && v.state.longitude !== null)
        map.set(v.vehicle_id, { lat: Number(v.state.latitude), lon: Number(v.state.longitude) });
    return { depots: depots.data?.items ?? [], positions: map };
  }, [depots.data, positions.data]);

  if (vehicles.isPending || depots.isPending) return <Loading label="Loading the fleet…" />;
  if (vehicles.isError) return <ErrorNotice error={vehicles.error} title="The vehicles could not load." />;
  if (depots.isError) return <ErrorNotice error={depots.error} title="The depots could not load." />;

  const chosen = new Set(picked.map((p) => p.vehicleId));
  const words = filter.trim().toLowerCase();
  const matching = vehicles.data.items.filter(
    (v) => !words || [v.plate, v.name, v.make, v.model].some((t) => t?.toLowerCase().includes(words)),
  );
  const capacity = Array.from({ length: Math.max(1, dimensions) }, () => 100);
  const toggle = (vehicle: Vehicle, on: boolean) =>
    onChange(on ? [...picked, pick(vehicle, places, capacity)] : picked.filter((p) => p.vehicleId !== vehicle.id));
  const driverList = (drivers.data?.items ?? []).map((d) => ({ id: d.id, name: d.name }));

  return (
    <div className="rp-vehicles">
      <div className="rp-pick">
        <label>
          Find vehicles <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <button
          type="button"
          className="button"
          onClick={() =>
            onChange([...picked, ...matching.filter((v) => !chosen.has(v.id)).slice(0, 20).map((v) => pick(v, places, capacity))])
          }
        >
          Pick the first {Math.min(20, matching.filter((v) => !chosen.has(v.id)).length)} shown
        </button>
        <ul className="rp-pick-list" aria-label="Fleet vehicles">
          {matching.slice(0, SHOWN).map((v) => (
            <li key={v.id}>
              <label>
                <input type="checkbox" checked={chosen.has(v.id)} onChange={(e) => toggle(v, e.target.checked)} />{" "}
                {vehicleLabel(v)}
                {v.make ? <span className="muted"> · {v.make} {v.model ?? ""}</span> : null}
              </label>
            </li>
          ))}
        </ul>
        {matching.length > SHOWN ? <p className="muted small">{matching.length - SHOWN} more: narrow the search.</p> : null}
      </div>
      {picked.length ? (
        <div className="table-scroll" role="region" aria-label="Picked vehicles" tabIndex={0}>
          <table className="data-table rp-picked">
            <thead>
              <tr>
                <th scope="col">Vehicle</th>
                <th scope="col">Starts at</th>
                <th scope="col">Ends at</th>
                <th scope="col">Capacity</th>
                <th scope="col">Shift</th>
                <th scope="col">Cost / km</th>
                <th scope="col">Cost / hour</th>
                <th scope="col">Driver</th>
                <th scope="col">
                  <span className="rp-sr">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {picked.map((draft, i) => (
                <PickedRow
                  key={draft.vehicleId}
                  draft={draft}
                  places={places}
                  drivers={driverList}
                  onChange={(next) => onChange(picked.map((p, j) => (j === i ? next : p)))}
                  onRemove={() => onChange(picked.filter((_, j) => j !== i))}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No vehicle picked yet.</p>
      )}
    </div>
  );
}
