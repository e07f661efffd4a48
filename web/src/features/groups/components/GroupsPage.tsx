import { useQuery } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { Link } from "react-router";

import { ConfirmButton } from "@/components/ConfirmButton";
import { NoAccess } from "@/components/NoAccess";
import { ErrorNotice, Loading } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { errorMessage } from "@/lib/api";
import { formatNumber } from "@/lib/format";

import {
  allGroupsQueryOptions,
  KIND_LABELS,
  useCreateGroup,
  useDeleteGroup,
  useUpdateGroup,
  type Group,
} from "../api";
import { flatten, groupTree, subtreeIds, type GroupNode } from "../tree";
import { blankGroup, GroupForm, groupBody, groupValues, type GroupValues } from "./GroupForm";
import "./groups.css";

/** What deleting a group does, as the API does it (said before anyone deletes one). */
export const DELETE_RULE =
  "Deleting a group deletes nothing else: its vehicles and drivers stay, with no group, and its subgroups move to the top level.";

function vehiclesText(count: number): string {
  return count === 1 ? "1 vehicle" : `${formatNumber(count)} vehicles`;
}

function placeText(group: Group): string | null {
  if (group.latitude === null || group.longitude === null) return null;
  const radius = group.radius_m === null ? "" : ` · ${formatNumber(group.radius_m)} m radius`;
  return `${group.latitude.toFixed(5)}, ${group.longitude.toFixed(5)}${radius}`;
}

function deletePrompt(node: GroupNode): string {
  const { name, vehicle_count: vehicles } = node.group;
  const kept = vehicles > 0 ? ` Its ${vehiclesText(vehicles)} ${vehicles === 1 ? "stays" : "stay"}, with no group.` : "";
  const subgroups = node.children.length;
  const moved =
    subgroups > 0 ? ` Its ${subgroups === 1 ? "subgroup moves" : `${subgroups} subgroups move`} to the top level.` : "";
  return `Delete ${name}?${kept}${moved}`;
}

interface RowProps {
  node: GroupNode;
  canWrite: boolean;
  onEdit: (group: Group) => void;
  onAddInside: (group: Group) => void;
}

function GroupRow({ node, canWrite, onEdit, onAddInside }: RowProps) {
  const { group } = node;
  const remove = useDeleteGroup();
  const place = placeText(group);
  return (
    <div className="group-row">
      <div className="group-main">
        <span className="group-name">{group.name}</span>{" "}
        <span className={`badge group-kind group-kind-${group.kind}`}>{KIND_LABELS[group.kind]}</span>
        <div className="muted group-facts">
          <Link
            to={`/vehicles?group=${encodeURIComponent(group.id)}`}
            aria-label={`${vehiclesText(group.vehicle_count)} in ${group.name}`}
          >
            {vehiclesText(group.vehicle_count)}
          </Link>
          {place ? <span> · {place}</span> : group.kind === "depot" ? <span> · no location</span> : null}
        </div>
        {remove.isError ? (
          <div className="notice notice-error" role="alert">
            {errorMessage(remove.error)}
          </div>
        ) : null}
      </div>
      {canWrite ? (
        <div className="group-actions">
          <button
            type="button"
            className="button button-small"
            aria-label={`Edit ${group.name}`}
            onClick={() => onEdit(group)}
          >
            Edit
          </button>
          {group.kind === "region" ? (
            <button
              type="button"
              className="button button-small"
              aria-label={`Add depot in ${group.name}`}
              onClick={() => onAddInside(group)}
            >
              Add depot
            </button>
          ) : null}
          <ConfirmButton
            label="Delete"
            ariaLabel={`Delete ${group.name}`}
            prompt={deletePrompt(node)}
            confirmLabel="Delete group"
            className="button button-small button-danger"
            pending={remove.isPending}
            onConfirm={() => remove.mutate({ groupId: group.id, version: group.version })}
          />
        </div>
      ) : null}
    </div>
  );
}

function GroupBranch(props: Omit<RowProps, "node"> & { nodes: readonly GroupNode[]; editing: Group | null; editor: ReactNode }) {
  const { nodes, editing, editor, ...rest } = props;
  return (
    <ul className="group-tree">
      {nodes.map((node) => (
        <li key={node.group.id}>
          {editing?.id === node.group.id ? editor : <GroupRow node={node} {...rest} />}
          {node.children.length > 0 ? <GroupBranch {...props} nodes={node.children} /> : null}
        </li>
      ))}
    </ul>
  );
}

type Editing = { mode: "create"; initial: GroupValues } | { mode: "edit"; group: Group } | null;

function GroupManager({ canWrite }: { canWrite: boolean }) {
  const query = useQuery(allGroupsQueryOptions());
  const groups = useMemo(() => query.data ?? [], [query.data]);
  const tree = useMemo(() => groupTree(groups), [groups]);
  const [editing, setEditing] = useState<Editing>(null);
  const create = useCreateGroup();
  const update = useUpdateGroup();

  const open = (next: Editing) => {
    create.reset();
    update.reset();
    setEditing(next);
  };
  const close = () => setEditing(null);

  if (query.isPending) return <Loading label="Loading groups…" />;
  if (query.isError) return <ErrorNotice error={query.error} title="Can't load groups." />;

  const edited = editing?.mode === "edit" ? editing.group : null;
  const excluded = edited ? subtreeIds(groups, edited.id) : new Set<string>();
  const parents = flatten(tree)
    .map((node) => node.group)
    .filter((group) => !excluded.has(group.id));
  const editor = edited ? (
    <GroupForm
      key={edited.id}
      title={`Edit ${edited.name}`}
      initial={groupValues(edited)}
      parents={parents}
      submitLabel="Save group"
      pending={update.isPending}
      error={update.error}
      onCancel={close}
      onSubmit={(values) =>
        update.mutate(
          { groupId: edited.id, body: { ...groupBody(values), version: edited.version } },
          { onSuccess: close },
        )
      }
    />
  ) : null;

  return (
    <>
      {canWrite ? (
        <div className="page-tools">
          <button
            type="button"
            className="button button-primary"
            onClick={() => open({ mode: "create", initial: blankGroup() })}
            disabled={editing?.mode === "create"}
          >
            New group
          </button>
        </div>
      ) : null}
      {editing?.mode === "create" ? (
        <GroupForm
          title="New group"
          initial={editing.initial}
          parents={parents}
          submitLabel="Create group"
          pending={create.isPending}
          error={create.error}
          onCancel={close}
          onSubmit={(values) => create.mutate(groupBody(values), { onSuccess: close })}
        />
      ) : null}
      <p className="muted">{DELETE_RULE}</p>
      {tree.length === 0 ? (
        <p className="card empty">No groups yet.{canWrite ? " Create a region, then its depots." : ""}</p>
      ) : (
        <section className="card" aria-label="Groups">
          <GroupBranch
            nodes={tree}
            canWrite={canWrite}
            editing={edited}
            editor={editor}
            onEdit={(group) => open({ mode: "edit", group })}
            onAddInside={(group) => open({ mode: "create", initial: blankGroup("depot", group.id) })}
          />
        </section>
      )}
    </>
  );
}

export function GroupsPage() {
  const access = useAccess();
  return (
    <>
      <div className="page-head">
        <h1>Groups</h1>
      </div>
      <p className="page-intro muted">Regions, depots and teams: vehicles and drivers belong to one group each.</p>
      {access.can("groups:read") ? (
        <GroupManager canWrite={access.can("groups:write")} />
      ) : (
        <NoAccess role={access.role} what="see groups" />
      )}
    </>
  );
}
