import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";

import { NoAccess } from "@/components/NoAccess";
import { useAccess } from "@/lib/access";
import { ApiError } from "@/lib/api/errors";
import {
  ChangeProblem,
  ChangeState,
  newKey,
  queuedNotice,
  useOnline,
  useQueuedChanges,
  useQueuedMutation,
  type QueuedChange,
} from "@/lib/offline";

import { createDriverMutation, type Driver } from "../api";
import { backToDrivers } from "./DriverDetailPage";
import { BLANK_DRIVER, driverBody, DriverForm, type DriverValues } from "./DriverForm";

/** A new driver, once queued: on to their page when the server has them, else where it stands. */
function Queued({ change, online }: { change: QueuedChange; online: boolean }) {
  const navigate = useNavigate();
  const saved = change.status === "synced" ? (change.response as Driver | null) : null;
  useEffect(() => {
    if (saved?.id) navigate(`/drivers/${saved.id}`, { replace: true });
  }, [saved, navigate]);
  return (
    <div className="record-sync">
      <p role="status">{queuedNotice(`${change.label}: saved.`, online)}</p>
      <ChangeState change={change} />
      <ChangeProblem change={change} />
      <p>
        <Link to="/drivers">All drivers</Link>
      </p>
    </div>
  );
}

/**
 * Add a driver through the offline queue: one key per form, so pressing "Add driver" twice
 * (or again after a dropped connection) adds one driver. A driver the server refuses (a field
 * it does not accept, a role that may not add) comes back as the form, with what was typed and
 * the server's reason beside its field; the refused change leaves the queue, and the next
 * attempt is a new change with its own key.
 */
export function DriverCreatePage() {
  const access = useAccess();
  const navigate = useNavigate();
  const online = useOnline();
  const create = useQueuedMutation(createDriverMutation);
  const [key, setKey] = useState(newKey);
  const [typed, setTyped] = useState<DriverValues>(BLANK_DRIVER);
  const [failure, setFailure] = useState<unknown>(null);
  const change = useQueuedChanges().find((c) => c.idempotencyKey === key);
  // A new record has no version to conflict with: any answered refusal is the form's to show.
  const refusal = change?.status === "failed" || change?.status === "conflict" ? change.error : undefined;
  useEffect(() => {
    if (!change || !refusal) return;
    setFailure(new ApiError(refusal.status, refusal));
    setKey(newKey());
    void create.discard(change.id);
  }, [change, refusal, create]);
  return (
    <>
      {backToDrivers}
      <h1>Add driver</h1>
      {!access.can("drivers:write") ? (
        <NoAccess role={access.role} what="add drivers" />
      ) : change && !refusal ? (
        <Queued change={change} online={online} />
      ) : (
        <DriverForm
          key={key}
          initial={typed}
          submitLabel="Add driver"
          pending={false}
          error={failure}
          onSubmit={(values) => {
            setTyped(values);
            setFailure(null);
            void create.mutate(driverBody(values), key).catch(setFailure);
          }}
          onCancel={() => navigate("/drivers")}
        />
      )}
    </>
  );
}
