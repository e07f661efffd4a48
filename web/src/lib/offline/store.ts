import type { OfflineDb } from "./db";
import type { QueuedChange } from "./types";

/** Where queued changes live: IndexedDB in the app, anything alike in tests. */
export interface ChangeStore {
  list(scope: string): Promise<QueuedChange[]>;
  put(change: QueuedChange): Promise<void>;
  delete(id: string): Promise<void>;
}

export function idbChangeStore(db: Promise<OfflineDb>): ChangeStore {
  return {
    async list(scope) {
      const changes = await (await db).getAllFromIndex("changes", "by-scope", scope);
      return changes.sort((a, b) => a.seq - b.seq);
    },
    async put(change) {
      await (await db).put("changes", change);
    },
    async delete(id) {
      await (await db).delete("changes", id);
    },
  };
}
