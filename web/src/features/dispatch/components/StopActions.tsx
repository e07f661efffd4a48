import { useState, type ChangeEvent, type FormEvent } from "react";

import { newKey, useQueueChange } from "@/lib/offline";

import { stopChange, type DispatchRoute, type DispatchStop, type PhotoIn, type StopAction } from "../api";
import { PHOTO_ACCEPT, PhotoProblem, readPhoto } from "../photos";

type Finish = Extract<StopAction, "complete" | "fail">;

/** Arrive, then complete or fail with a note and a proof photo; each step goes to the offline queue. */
export function StopActions({ route, stop, number }: { route: DispatchRoute; stop: DispatchStop; number: number }) {
  const queueChange = useQueueChange();
  const [finish, setFinish] = useState<Finish | null>(null);
  // one key per step: a double tap queues it once
  const [arriveKey] = useState(newKey);

  const arrive = () =>
    void queueChange(stopChange(route, stop, number, "arrive", { at: new Date().toISOString() }, arriveKey));

  if (finish) {
    return <FinishForm route={route} stop={stop} number={number} action={finish} onClose={() => setFinish(null)} />;
  }
  return (
    <div className="dispatch-actions">
      {stop.status === "pending" && (
        <button type="button" className="button touch" onClick={arrive}>
          Arrive
        </button>
      )}
      <button type="button" className="button button-primary touch" onClick={() => setFinish("complete")}>
        Complete
      </button>
      <button type="button" className="button dispatch-danger touch" onClick={() => setFinish("fail")}>
        Fail
      </button>
    </div>
  );
}

function FinishForm({
  route,
  stop,
  number,
  action,
  onClose,
}: {
  route: DispatchRoute;
  stop: DispatchStop;
  number: number;
  action: Finish;
  onClose: () => void;
}) {
  const queueChange = useQueueChange();
  const [key] = useState(newKey);
  const [note, setNote] = useState("");
  const [photo, setPhoto] = useState<PhotoIn | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const failing = action === "fail";
  const label = failing ? "Fail stop" : "Complete stop";

  const choosePhoto = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    try {
      setPhoto(await readPhoto(file));
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof PhotoProblem ? error.message : "The photo could not be read.");
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (failing && !note.trim()) {
      setProblem("Say why the stop failed.");
      return;
    }
    const body = {
      at: new Date().toISOString(),
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(photo ? { photo } : {}),
    };
    await queueChange(stopChange(route, stop, number, action, body, key));
    onClose();
  };

  return (
    <form className="dispatch-finish" onSubmit={submit} noValidate aria-label={`${label} ${number}`}>
      <label className="dispatch-field">
        <span>{failing ? "Why did it fail?" : "Note (optional)"}</span>
        <textarea value={note} maxLength={2000} rows={2} onChange={(e) => setNote(e.target.value)} />
      </label>
      <label className="touch dispatch-photo">
        {photo ? "Replace proof photo" : "Add proof photo"}
        <input type="file" accept={PHOTO_ACCEPT} capture="environment" onChange={choosePhoto} />
      </label>
      {photo && <img className="dispatch-proof" src={`data:${photo.content_type};base64,${photo.data}`} alt={`Proof for stop ${number}`} />}
      {problem && (
        <p className="dispatch-problem" role="alert">
          {problem}
        </p>
      )}
      <div className="dispatch-actions">
        <button type="submit" className={`button touch ${failing ? "dispatch-danger" : "button-primary"}`}>
          {label}
        </button>
        <button type="button" className="button touch" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
