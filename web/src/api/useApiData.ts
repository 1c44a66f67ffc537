// Loads a GET answer for a page: the last known answer at once (if any), then the fresh one.
// When the edge cannot be reached the last answer stays on screen, marked stale (read-only).

import { useCallback, useEffect, useMemo, useState } from 'react';
import { loadSession } from '../auth/session';
import { api } from './client';
import { NetworkError } from './errors';
import { recall, remember } from './offlineCache';

export interface ApiData<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Shown from the offline copy: the edge could not be reached. */
  stale: boolean;
  reload: () => Promise<void>;
}

export function useApiData<T>(path: string | null): ApiData<T> {
  const userId = loadSession()?.userId ?? 'anonymous';
  const cached = useMemo(() => (path ? recall<T>(userId, path) : null), [userId, path]);
  const [state, setState] = useState<{ path: string | null; data: T | undefined; error: unknown; loading: boolean; stale: boolean }>(
    { path, data: cached?.data, error: null, loading: path !== null, stale: false },
  );

  const load = useCallback(async () => {
    if (!path) return;
    setState((current) => ({ ...current, loading: true }));
    try {
      const data = await api<T>(path);
      remember(userId, path, data);
      setState({ path, data, error: null, loading: false, stale: false });
    } catch (error) {
      const copy = recall<T>(userId, path);
      if (error instanceof NetworkError && copy) {
        setState({ path, data: copy.data, error: null, loading: false, stale: true });
      } else {
        setState({ path, data: undefined, error, loading: false, stale: false });
      }
    }
  }, [path, userId]);

  useEffect(() => {
    setState({ path, data: cached?.data, error: null, loading: path !== null, stale: false });
    void load();
    const retry = () => void load();
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, [load, cached]);

  // Until the effect catches up with a new path, show that path's offline copy, never the old answer.
  const current = state.path === path ? state : { data: cached?.data, error: null, loading: true, stale: false };
  return { data: current.data, error: current.error, loading: current.loading, stale: current.stale, reload: load };
}
