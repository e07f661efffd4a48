/**
 * An update body: only the fields whose value differs from the record's, and the version the
 * form was loaded from (the server answers 409 when the record moved on since).
 */
export function changedFields<Body extends object>(
  before: Body,
  after: Body,
  version: number,
): Partial<Body> & { version: number } {
  const changes: Record<string, unknown> = { version };
  for (const key of Object.keys(after) as (keyof Body & string)[]) {
    if (after[key] !== before[key]) changes[key] = after[key];
  }
  return changes as Partial<Body> & { version: number };
}
