import { useSyncExternalStore } from "react";

/** A small external store: state that changes every frame (the replay clock) re-renders only
 * the components that read it, not the page. */
export interface Store<T> {
  get(): T;
  set(patch: Partial<T> | ((state: T) => Partial<T>)): void;
  subscribe(listener: () => void): () => void;
}

export function createStore<T extends object>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(patch) {
      const change = typeof patch === "function" ? patch(state) : patch;
      state = { ...state, ...change };
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useStore<T, S>(store: Store<T>, select: (state: T) => S): S {
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.get()),
    () => select(store.get()),
  );
}

/** The history replay: which window, where the clock is, whether it runs. */
export interface ReplayState {
  vehicleId: string | null;
  from: string | null;
  to: string | null;
  /** ms since the epoch, within the track */
  time: number;
  playing: boolean;
  /** track seconds per real second */
  speed: number;
}

export const createReplayStore = () =>
  createStore<ReplayState>({ vehicleId: null, from: null, to: null, time: 0, playing: false, speed: 30 });

export type ReplayStore = Store<ReplayState>;
