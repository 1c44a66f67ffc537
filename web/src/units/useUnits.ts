// The person's unit system, remembered on this device.

import { useSyncExternalStore } from 'react';
import { isUnitSystem, type UnitSystem } from './units';

const KEY = 'mv.units';
const listeners = new Set<() => void>();

function read(): UnitSystem {
  const stored = localStorage.getItem(KEY);
  return isUnitSystem(stored) ? stored : 'imperial';
}

export function setUnits(system: UnitSystem): void {
  localStorage.setItem(KEY, system);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useUnits(): UnitSystem {
  return useSyncExternalStore(subscribe, read);
}
