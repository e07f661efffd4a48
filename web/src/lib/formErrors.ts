import { isApiError } from "./api";

/**
 * Per-field messages from a failed call's error envelope, keyed by the body field's name:
 * a 422's `details.errors[].loc` (`["body", "email"]`; a nested field by its own name), or
 * `details.field` of a 409 such as `already_exists`. The envelope's own message is shown
 * beside the form as well.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!isApiError(error)) return {};
  const found: Record<string, string> = {};
  const errors = error.details.errors;
  if (Array.isArray(errors)) {
    for (const item of errors as { loc?: unknown; msg?: unknown }[]) {
      const loc = Array.isArray(item.loc) ? item.loc.map(String) : [];
      // ["body", "branding", "logo_url"] → "logo_url"; ["body", "tags", "0"] → "tags"
      const field = loc[0] === "body" ? loc.filter((part) => !/^\d+$/.test(part)).at(-1) : undefined;
      if (field && !found[field]) found[field] = readable(String(item.msg ?? "Not valid."));
    }
  }
  const field = error.details.field;
  if (typeof field === "string" && !found[field]) found[field] = error.message;
  return found;
}

/** Pydantic's "Value error, a phone number is …" → "A phone number is …". */
function readable(message: string): string {
  const text = message.replace(/^Value error, /, "");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `version_conflict`: someone else saved the record since it was loaded. */
export function isVersionConflict(error: unknown): boolean {
  return isApiError(error) && error.code === "version_conflict";
}

/** 403: the server refused the caller's role (the screen should not have offered it). */
export function isForbidden(error: unknown): boolean {
  return isApiError(error) && error.status === 403;
}
