// Auth0 sends the browser back here with ?code&state; the edge exchanges them (it holds the PKCE
// verifier and the client secret) and answers the tokens.

import { useEffect, useRef, useState } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAuth } from './AuthContext';
import { sessionFromToken } from './session';
import { NEXT_KEY } from './SignInPage';

export function CallbackPage() {
  const [params] = useSearchParams();
  const { signIn } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return; // a code is single use: never exchange it twice
    started.current = true;
    const denied = params.get('error_description') ?? params.get('error');
    if (denied) {
      setError(new Error(denied));
      return;
    }
    const query = new URLSearchParams({ code: params.get('code') ?? '', state: params.get('state') ?? '' });
    api<{ accessToken: string; expiresIn?: number }>(`/api/auth/callback?${query}`)
      .then((tokens) => {
        signIn(sessionFromToken(tokens.accessToken, tokens.expiresIn));
        setDone(true);
      })
      .catch(setError);
  }, [params, signIn]);

  if (done) {
    const next = sessionStorage.getItem(NEXT_KEY) ?? '/';
    sessionStorage.removeItem(NEXT_KEY);
    return <Navigate to={next.startsWith('/') && !next.startsWith('//') ? next : '/'} replace />;
  }
  return (
    <main className="signin" id="main">
      <div className="signin__card">
        <h1>Signing in…</h1>
        <ErrorNotice error={error} />
        {error !== null && <Link to="/signin">Back to sign-in</Link>}
      </div>
    </main>
  );
}
