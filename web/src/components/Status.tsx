import { errorMessage } from "@/lib/api";

/** A polite "loading" line that screen readers announce once. */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}
    </p>
  );
}

/** An error from the API (or anything thrown), announced at once. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  return (
    <div className="notice notice-error" role="alert">
      {title ? <strong>{title} </strong> : null}
      {errorMessage(error)}
    </div>
  );
}
