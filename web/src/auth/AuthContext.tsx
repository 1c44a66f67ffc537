// Who is signed in, for the whole app; an expired session sends the person to sign-in and back.

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { forgetUser } from '../api/offlineCache';
import {
  clearSession, isExpired, loadSession, saveSession, sessionEvents, SESSION_EXPIRED, type Session,
} from './session';

interface Auth {
  session: Session | null;
  /** The edge refused the session's token: sign-in says so. */
  expired: boolean;
  signIn: (session: Session) => void;
  signOut: () => void;
}

const AuthContext = createContext<Auth>({ session: null, expired: false, signIn: () => {}, signOut: () => {} });

export function useAuth(): Auth {
  return useContext(AuthContext);
}

export function signInPath(next: string, expired: boolean): string {
  const query = new URLSearchParams({ next });
  if (expired) query.set('expired', '1');
  return `/signin?${query}`;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [expired, setExpired] = useState(false);
  const navigate = useNavigate();

  useEffect(() => {
    // RequireSession then sends the person to sign-in, with the address to come back to.
    const onExpired = () => {
      setExpired(true);
      setSession(null);
    };
    sessionEvents.addEventListener(SESSION_EXPIRED, onExpired);
    return () => sessionEvents.removeEventListener(SESSION_EXPIRED, onExpired);
  }, []);

  const auth: Auth = {
    session,
    expired,
    signIn(next) {
      saveSession(next);
      setExpired(false);
      setSession(next);
    },
    signOut() {
      if (session) forgetUser(session.userId);
      clearSession();
      setExpired(false);
      setSession(null);
      navigate('/signin');
    },
  };
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

/** Pages behind sign-in: no session, or an expired one, goes to sign-in and comes back after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { session, expired } = useAuth();
  const location = useLocation();
  if (!session || isExpired(session)) {
    return <Navigate to={signInPath(location.pathname + location.search, expired || session !== null)} replace />;
  }
  return <>{children}</>;
}
