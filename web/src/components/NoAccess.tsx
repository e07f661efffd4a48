import { humanize } from "@/lib/format";

/** What a role can't see or do, said plainly instead of an error (or the server's 403). */
export function NoAccess({ role, what }: { role: string | null; what: string }) {
  return (
    <div className="notice notice-info" role="status">
      Your role{role ? ` (${humanize(role)})` : ""} can’t {what}. Ask an administrator if you
      need to.
    </div>
  );
}
