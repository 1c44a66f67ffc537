// The last answer of each GET, per user, so the app can show it read-only when offline.
// localStorage is enough: answers are small lists, and a full store only means less offline data.

const PREFIX = 'mv.cache.';

function key(userId: string, path: string): string {
  return `${PREFIX}${userId}.${path}`;
}

export function remember(userId: string, path: string, data: unknown): void {
  try {
    localStorage.setItem(key(userId, path), JSON.stringify({ savedAt: Date.now(), data }));
  } catch {
    // Storage full or disabled: offline data is a convenience, never a reason to fail.
  }
}

export function recall<T>(userId: string, path: string): { savedAt: number; data: T } | null {
  try {
    return JSON.parse(localStorage.getItem(key(userId, path)) ?? 'null');
  } catch {
    return null;
  }
}

/** On sign-out: nothing of this user stays on a shared device. */
export function forgetUser(userId: string): void {
  const mine = `${PREFIX}${userId}.`;
  for (const name of Object.keys(localStorage)) {
    if (name.startsWith(mine)) localStorage.removeItem(name);
  }
}
