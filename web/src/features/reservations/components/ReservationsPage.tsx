import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useId, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";

import { ErrorNotice } from "@/components/Status";
import { errorMessage } from "@/lib/api";
import {
  LoadingOrOffline,
  useMutationQueue,
  useQueuedChanges,
  useQueuedMutation,
  type QueuedChange,
} from "@/lib/offline";

import {
  cachedReservationsOf,
  isLocal,
  reservationDriversQueryOptions,
  reservationListQueryOptions,
  reservationMembersQueryOptions,
  reservationVehiclesQueryOptions,
  updateReservationMutation,
  type NewReservation,
  type Reservation,
} from "../api";
import { addDays, addHours, formatWeek, parseIsoDate, isoDate, startOfDay, startOfWeek, toLocalInput } from "./dates";
import { ReservationForm, valuesOf, type FormMode, type FormValues } from "./ReservationForm";
import { ReservationList } from "./ReservationList";
import { WeekCalendar, type Draft } from "./WeekCalendar";
import "./reservations.css";

interface FormState {
  mode: FormMode;
  initial: FormValues;
  key: number;
}

function blank(vehicleId: string, start?: Date): FormValues {
  return {
    vehicleId,
    driverId: "",
    userId: "",
    starts: start ? toLocalInput(start) : "",
    ends: start ? toLocalInput(addHours(start, 1)) : "",
    purpose: "",
  };
}

/** The latest queued change of each reservation (by its id, or its local id before sync). */
function useReservationChanges(): (id: string) => QueuedChange | undefined {
  const changes = useQueuedChanges();
  return useMemo(() => {
    const latest = new Map<string, QueuedChange>();
    for (const change of changes) {
      if (change.entity?.type === "reservation") latest.set(change.entity.id, change);
    }
    return (id: string) => latest.get(id);
  }, [changes]);
}

/** Reservations: a vehicle's week (keyboard operable), booking and changing, and the list. */
export function ReservationsPage() {
  const [params, setParams] = useSearchParams();
  const vehicleId = params.get("vehicle") ?? "";
  const weekStart = useMemo(() => startOfWeek(parseIsoDate(params.get("week")) ?? new Date()), [params]);
  const client = useQueryClient();
  const queue = useMutationQueue();
  const update = useQueuedMutation(updateReservationMutation);
  const changeFor = useReservationChanges();
  const vehicleSelectId = useId();
  const formSection = useRef<HTMLElement>(null);
  const [message, setMessage] = useState("");
  const [form, setForm] = useState<FormState>({ mode: { kind: "new" }, initial: blank(vehicleId), key: 0 });
  const [draft, setDraft] = useState<(Draft & { vehicleId: string }) | null>(null);

  const vehicles = useQuery(reservationVehiclesQueryOptions());
  const drivers = useQuery(reservationDriversQueryOptions());
  const members = useQuery(reservationMembersQueryOptions());
  const today = isoDate(new Date());
  const week = useQuery({
    ...reservationListQueryOptions({
      vehicleId,
      from: weekStart.toISOString(),
      to: addDays(weekStart, 7).toISOString(),
    }),
    enabled: Boolean(vehicleId),
    // The grid stays (and keeps the keyboard focus) while the next week loads.
    placeholderData: (previous, query) =>
      (query?.queryKey[2] as { vehicleId?: string } | undefined)?.vehicleId === vehicleId
        ? keepPreviousData(previous)
        : undefined,
  });
  const upcoming = useQuery(
    reservationListQueryOptions({
      vehicleId: vehicleId || undefined,
      from: startOfDay(parseIsoDate(today) ?? new Date()).toISOString(),
    }),
  );

  const vehicleList = vehicles.data?.items ?? [];
  const driverList = drivers.data?.items ?? [];
  const memberList = members.data ?? [];
  const selected = vehicleList.find((v) => v.id === vehicleId);
  const vehicleLabel = selected?.plate || selected?.name || "Vehicle";

  const setParam = (name: string, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  const openForm = (mode: FormMode, initial: FormValues) => {
    setMessage("");
    setForm((current) => ({ mode, initial, key: current.key + 1 }));
    requestAnimationFrame(() => {
      const section = formSection.current;
      (section?.querySelector<HTMLElement>("[data-autofocus]") ?? section?.querySelector("select"))?.focus();
    });
  };

  const edit = (r: Reservation) => {
    const change = changeFor(r.id);
    if (isLocal(r.id) && change) {
      openForm({ kind: "draft", change: change as QueuedChange<NewReservation> }, valuesOf(r));
    } else {
      openForm({ kind: "edit", reservation: r }, valuesOf(r));
    }
  };

  const cancel = async (r: Reservation) => {
    setMessage("");
    const label = `${vehicleList.find((v) => v.id === r.vehicle_id)?.plate ?? "vehicle"}`;
    try {
      const change = changeFor(r.id);
      if (isLocal(r.id) && change) {
        await queue.discard(change.id); // never sent: forgetting it is cancelling it
      } else {
        await update.mutate({
          reservationId: r.id,
          version: r.version,
          changes: { status: "cancelled" },
          label: `Cancel booking of ${label}`,
        });
      }
      setMessage(`Booking of ${label} cancelled.`);
    } catch (error) {
      setMessage(errorMessage(error));
    }
  };

  const done = (text: string) => {
    setMessage(text);
    setDraft(null);
    setForm((current) => ({ mode: { kind: "new" }, initial: blank(vehicleId), key: current.key + 1 }));
  };

  // A draft whose change is gone (synced, discarded elsewhere) is stale: the server's copy shows.
  const current = (items: readonly Reservation[]) =>
    items.filter((r) => !isLocal(r.id) || (changeFor(r.id) && changeFor(r.id)?.status !== "synced"));
  const bookingsOf = useCallback((id: string) => cachedReservationsOf(client, id), [client]);
  const onDraft = useCallback((next: (Draft & { vehicleId: string }) | null) => setDraft(next), []);

  if (vehicles.isPending) return <LoadingOrOffline query={vehicles} label="Loading vehicles…" />;
  if (vehicles.isError) return <ErrorNotice error={vehicles.error} title="Can't load vehicles." />;

  return (
    <>
      <h1>Reservations</h1>
      <div className="reservations-layout">
        <section className="card" aria-labelledby="calendar-title">
          <h2 id="calendar-title">Calendar</h2>
          <div className="calendar-toolbar">
            <div className="field">
              <label htmlFor={vehicleSelectId}>Vehicle</label>
              <select
                id={vehicleSelectId}
                value={vehicleId}
                onChange={(event) => {
                  setParam("vehicle", event.target.value || null);
                  setForm((current) => ({ ...current, initial: blank(event.target.value), key: current.key + 1 }));
                }}
              >
                <option value="">Choose a vehicle…</option>
                {vehicleList.map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.plate || v.name || v.id}
                  </option>
                ))}
              </select>
            </div>
            <div className="button-row week-nav" role="group" aria-label="Week">
              <button type="button" className="button" onClick={() => setParam("week", isoDate(addDays(weekStart, -7)))}>
                ← Previous week
              </button>
              <button type="button" className="button" onClick={() => setParam("week", null)}>
                This week
              </button>
              <button type="button" className="button" onClick={() => setParam("week", isoDate(addDays(weekStart, 7)))}>
                Next week →
              </button>
            </div>
            <p className="week-title" aria-live="polite">
              {formatWeek(weekStart)}
            </p>
          </div>
          {!vehicleId ? (
            <p className="muted">Choose a vehicle to see its week.</p>
          ) : week.isPending ? (
            <LoadingOrOffline query={week} label="Loading the week…" />
          ) : week.isError ? (
            <ErrorNotice error={week.error} />
          ) : (
            <WeekCalendar
              weekStart={weekStart}
              vehicleLabel={vehicleLabel}
              reservations={current(week.data.items)}
              draft={draft && draft.vehicleId === vehicleId ? draft : null}
              changeFor={changeFor}
              onPickSlot={(start) => openForm({ kind: "new" }, blank(vehicleId, start))}
              onPickReservation={edit}
              onWeek={(delta) => setParam("week", isoDate(addDays(weekStart, 7 * delta)))}
            />
          )}
        </section>
        <section className="card" ref={formSection} aria-label="Booking">
          <p className="muted small" role="status">
            {message}
          </p>
          <ReservationForm
            key={form.key}
            mode={form.mode}
            initial={form.initial}
            vehicles={vehicleList}
            drivers={driverList}
            members={memberList}
            bookingsOf={bookingsOf}
            onDraft={onDraft}
            onDone={done}
          />
        </section>
      </div>
      <section className="card" aria-labelledby="upcoming-title">
        <h2 id="upcoming-title">Upcoming reservations{selected ? ` of ${vehicleLabel}` : ""}</h2>
        {upcoming.isPending ? (
          <LoadingOrOffline query={upcoming} />
        ) : upcoming.isError ? (
          <ErrorNotice error={upcoming.error} />
        ) : (
          <ReservationList
            reservations={current(upcoming.data.items)}
            vehicles={vehicleList}
            drivers={driverList}
            members={memberList}
            changeFor={changeFor}
            onEdit={edit}
            onCancel={(r) => void cancel(r)}
          />
        )}
      </section>
    </>
  );
}
