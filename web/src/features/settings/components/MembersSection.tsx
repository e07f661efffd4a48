import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ConfirmButton } from "@/components/ConfirmButton";
import { NoAccess } from "@/components/NoAccess";
import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess, type Access } from "@/lib/access";
import { formatDateTime, humanize } from "@/lib/format";

import {
  membersQueryOptions,
  useChangeMemberRole,
  useRemoveMember,
  type Member,
  type RoleName,
} from "../api";
import { AddMemberForm } from "./AddMemberForm";

const LAST_OWNER = "The tenant's only owner: make someone else an owner first.";

interface RowProps {
  member: Member;
  access: Access;
  lastOwner: boolean;
}

function MemberRow({ member, access, lastOwner }: RowProps) {
  const [role, setRole] = useState(member.role);
  const change = useChangeMemberRole();
  const remove = useRemoveMember();
  const name = member.display_name || member.email;
  const canManage = access.can("members:manage") && access.canGrant(member.role);
  const you = member.user_id === access.userId;
  const selectId = `role-${member.user_id}`;
  const error = change.error ?? remove.error;
  // A role can be handed out only up to one's own; the member's current one always shows.
  const roles = access.grantable.includes(member.role as RoleName)
    ? access.grantable
    : [member.role as RoleName, ...access.grantable];

  return (
    <tr>
      <th scope="row">
        {name}
        {you ? <span className="muted"> (you)</span> : null}
        {member.display_name ? <div className="muted small">{member.email}</div> : null}
      </th>
      <td>
        {canManage ? (
          <div className="role-picker">
            <label htmlFor={selectId} className="visually-hidden">
              Role of {name}
            </label>
            <select
              id={selectId}
              value={role}
              disabled={lastOwner || change.isPending}
              aria-describedby={lastOwner ? `${selectId}-why` : undefined}
              onChange={(event) => setRole(event.target.value)}
            >
              {roles.map((option) => (
                <option key={option} value={option}>
                  {humanize(option)}
                </option>
              ))}
            </select>
            {role !== member.role ? (
              <button
                type="button"
                className="button button-small"
                disabled={change.isPending}
                aria-label={`Save role of ${name}`}
                onClick={() => change.mutate({ userId: member.user_id, role: role as RoleName })}
              >
                {change.isPending ? "Saving…" : "Save role"}
              </button>
            ) : null}
            {lastOwner ? (
              <span id={`${selectId}-why`} className="hint">
                {LAST_OWNER}
              </span>
            ) : null}
          </div>
        ) : (
          humanize(member.role)
        )}
        {error ? <ErrorNotice error={error} /> : null}
      </td>
      <td>{formatDateTime(member.created_at)}</td>
      <td>
        {canManage ? (
          <ConfirmButton
            label="Remove"
            ariaLabel={`Remove ${name}`}
            className="button button-danger button-small"
            prompt={you ? "Remove yourself from this tenant?" : `Remove ${name} from this tenant?`}
            confirmLabel="Remove"
            disabled={lastOwner}
            disabledReason={LAST_OWNER}
            pending={remove.isPending}
            onConfirm={() => remove.mutate(member.user_id)}
          />
        ) : null}
      </td>
    </tr>
  );
}

function MembersTable({ members, access }: { members: Member[]; access: Access }) {
  const owners = members.filter((m) => m.role === "owner").length;
  return (
    <div className="table-wrap" role="region" aria-label="Members table" tabIndex={0}>
      <table className="fixed-table">
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">Member since</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <MemberRow
              key={`${member.user_id}-${member.role}`}
              member={member}
              access={access}
              lastOwner={member.role === "owner" && owners <= 1}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MembersSection() {
  const access = useAccess();
  const allowed = access.can("members:read");
  const members = useQuery({ ...membersQueryOptions(), enabled: allowed });
  let body;
  if (!allowed) body = <NoAccess role={access.role} what="see the tenant’s members" />;
  else if (members.isPending) body = <Loading label="Loading members…" />;
  else if (members.isError) body = <ErrorNotice error={members.error} title="Can't load members." />;
  else body = <MembersTable members={members.data} access={access} />;
  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members and roles</h2>
      {body}
      {allowed && access.can("members:manage") ? <AddMemberForm /> : null}
    </section>
  );
}
