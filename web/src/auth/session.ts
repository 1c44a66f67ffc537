// The signed-in session: the access token in localStorage (the installed app reopens signed in),
// its user and expiry read from the token itself. An expired or refused token ends the session
// and announces it, so the app can go back to sign-in wherever the person was.

export interface Session {
  token: string;
  userId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const KEY = 'mv.session';
export const sessionEvents = new EventTarget();
export const SESSION_EXPIRED = 'expired';

function decodePayload(token: string): { sub?: string; exp?: number } {
  const part = token.split('.')[1] ?? '';
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  try {
    return JSON.parse(atob(base64));
  } catch {
    return {};
  }
}

export function sessionFromToken(token: string, expiresInSeconds?: number | null): Session {
  const claims = decodePayload(token);
  const expiresAt = claims.exp ? claims.exp * 1000 : Date.now() + (expiresInSeconds ?? 3600) * 1000;
  return { token, userId: claims.sub ?? 'unknown', expiresAt };
}

export function loadSession(): Session | null {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    if (!stored?.token) return null;
    return stored;
  } catch {
    return null;
  }
}

export function isExpired(session: Session, now = Date.now()): boolean {
  return session.expiresAt <= now;
}

export function saveSession(session: Session): void {
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

/** The edge refused the token (expired, revoked): forget it and let the app send the person to sign-in. */
export function expireSession(): void {
  clearSession();
  sessionEvents.dispatchEvent(new Event(SESSION_EXPIRED));
}
