// Who is signed in, for the whole app; an expired session sends the person to sign-in and back.

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { forgetUser } from '../api/offlineCache';
import {
  clearSession, isExpired, loadSession, saveSession, sessionEvents, SESSION_EXPIRED, type Session,
} from './session';

interface Auth {
  session: Session | null;
  signIn: (session: Session) => void;
  signOut: () => void;
}

const AuthContext = createContext<Auth>({ session: null, signIn: () => {}, signOut: () => {} });

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
  const navigate = useNavigate();
  const location = useLocation();
  const here = location.pathname + location.search;

  useEffect(() => {
    const expired = () => {
      setSession(null);
      if (!location.pathname.startsWith('/signin')) navigate(signInPath(here, true));
    };
    sessionEvents.addEventListener(SESSION_EXPIRED, expired);
    return () => sessionEvents.removeEventListener(SESSION_EXPIRED, expired);
  }, [navigate, here, location.pathname]);

  const auth: Auth = {
    session,
    signIn(next) {
      saveSession(next);
      setSession(next);
    },
    signOut() {
      if (session) forgetUser(session.userId);
      clearSession();
      setSession(null);
      navigate('/signin');
    },
  };
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

/** Pages behind sign-in: no session, or an expired one, goes to sign-in and comes back after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { session } = useAuth();
  const location = useLocation();
  if (!session || isExpired(session)) {
    return <Navigate to={signInPath(location.pathname + location.search, session !== null)} replace />;
  }
  return <>{children}</>;
}
