import type { DehydratedState } from "@tanstack/react-query";
import { openDB, type DBSchema, type IDBPDatabase } from "idb";

import type { QueuedChange } from "./types";

export const DB_NAME = "fleetyard-offline";

/** A saved query cache: one per `user:tenant` scope. */
export interface SavedQueries {
  scope: string;
  savedAt: number;
  buster: string;
  state: DehydratedState;
}

export interface OfflineSchema extends DBSchema {
  changes: { key: string; value: QueuedChange; indexes: { "by-scope": string } };
  queries: { key: string; value: SavedQueries };
  meta: { key: string; value: string };
}

export type OfflineDb = IDBPDatabase<OfflineSchema>;

/** The app's IndexedDB: the change queue, the saved query caches, and a little metadata. */
export function openOfflineDb(name = DB_NAME): Promise<OfflineDb> {
  return openDB<OfflineSchema>(name, 1, {
    upgrade(db) {
      const changes = db.createObjectStore("changes", { keyPath: "id" });
      changes.createIndex("by-scope", "scope");
      db.createObjectStore("queries", { keyPath: "scope" });
      db.createObjectStore("meta");
    },
  });
}
