import { Link } from "react-router";

import { ConfirmButton } from "./ConfirmButton";

/** A record page's "Edit" link and "Delete" (asked twice), for people who may change it. */
export function RecordActions(props: {
  editTo: string;
  /** The question asked before deleting ("Delete driver Ada Lovelace?"). */
  prompt: string;
  /** The button that deletes ("Delete driver"). */
  confirmLabel: string;
  pending: boolean;
  onDelete: () => void;
}) {
  return (
    <div className="actions">
      <Link className="button" to={props.editTo}>
        Edit
      </Link>
      <ConfirmButton
        label="Delete"
        prompt={props.prompt}
        confirmLabel={props.confirmLabel}
        pending={props.pending}
        onConfirm={props.onDelete}
      />
    </div>
  );
}
