import { useState, type FormEvent } from "react";

import { Field } from "@/components/Field";
import { ErrorNotice } from "@/components/Status";
import { useAccess } from "@/lib/access";
import { fieldErrors } from "@/lib/formErrors";
import { humanize } from "@/lib/format";

import { useAddMember, type RoleName } from "../api";

/** Add someone by email; a person new to Fleetyard also needs a first password. */
export function AddMemberForm() {
  const access = useAccess();
  const add = useAddMember();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<RoleName>("viewer");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const errors = fieldErrors(add.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(null);
    add.mutate(
      {
        email: email.trim(),
        role,
        display_name: displayName.trim(),
        password: password || null,
      },
      {
        onSuccess: (member) => {
          setAdded(member.display_name || member.email);
          setEmail("");
          setDisplayName("");
          setPassword("");
        },
      },
    );
  };

  return (
    <form className="subform" onSubmit={submit} noValidate aria-labelledby="add-member-title">
      <h3 id="add-member-title">Add a member</h3>
      {add.isError ? <ErrorNotice error={add.error} title="Not added." /> : null}
      <div role="status" aria-live="polite">
        {added ? <div className="notice notice-success">Added {added}.</div> : null}
      </div>
      <div className="form-grid">
        <Field label="Email" required error={errors.email}>
          {(control) => (
            <input {...control} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Role" error={errors.role}>
          {(control) => (
            <select {...control} value={role} onChange={(e) => setRole(e.target.value as RoleName)}>
              {access.grantable.map((option) => (
                <option key={option} value={option}>
                  {humanize(option)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Display name" error={errors.display_name}>
          {(control) => (
            <input {...control} autoComplete="off" maxLength={200} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          )}
        </Field>
        <Field
          label="First password"
          error={errors.password}
          hint="Only for someone without a Fleetyard account yet: at least 8 characters."
        >
          {(control) => (
            <input {...control} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
      </div>
      <button type="submit" className="button button-primary" disabled={add.isPending}>
        {add.isPending ? "Adding…" : "Add member"}
      </button>
    </form>
  );
}
