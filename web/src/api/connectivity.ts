// Whether the app can reach the edge: the browser's online flag, corrected by what requests see
// (a phone can be "online" on a network that reaches nothing).

import { useSyncExternalStore } from 'react';

let unreachable = false;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

export function markUnreachable(): void {
  if (!unreachable) {
    unreachable = true;
    notify();
  }
}

export function markReachable(): void {
  if (unreachable) {
    unreachable = false;
    notify();
  }
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

export function isOffline(): boolean {
  return !navigator.onLine || unreachable;
}

export function useOffline(): boolean {
  return useSyncExternalStore(subscribe, isOffline);
}
