// Sign-in: the dev issuer's user name locally; Auth0's authorization code + PKCE flow through the
// edge in production (/api/auth/authorize redirects to Auth0, which returns to /auth/callback).

import { useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { ErrorNotice, fieldErrors } from '../components/ErrorNotice';
import { TextField } from '../components/fields';
import { useConfig } from '../appConfig';
import { useAuth } from './AuthContext';
import { isExpired, sessionFromToken } from './session';
import { usePageTitle } from '../components/usePageTitle';

export const NEXT_KEY = 'mv.signin.next';

function safeNext(next: string | null): string {
  // Only paths of this app: never an open redirect to another site.
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  usePageTitle('Sign in');
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const expired = params.get('expired') === '1';
  const config = useConfig();
  const { session, signIn } = useAuth();
  const [username, setUsername] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  if (session && !isExpired(session)) return <Navigate to={next} replace />;

  async function devSignIn(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!username.trim()) {
      setLocalErrors({ username: 'Enter a user name' });
      return;
    }
    setLocalErrors({});
    setBusy(true);
    try {
      const answer = await api<{ accessToken: string; expiresIn?: number }>('/api/auth/login', {
        method: 'POST', json: { username: username.trim() },
      });
      signIn(sessionFromToken(answer.accessToken, answer.expiresIn));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  function auth0SignIn() {
    sessionStorage.setItem(NEXT_KEY, next);
    const redirect = `${window.location.origin}/auth/callback`;
    window.location.assign(`/api/auth/authorize?redirect_uri=${encodeURIComponent(redirect)}`);
  }

  const errors = fieldErrors(localErrors, error, ['username']);
  return (
    <main className="signin" id="main">
      <div className="signin__card">
        <img src="/icon.svg" alt="" width="64" height="64" />
        <h1>MotoVault</h1>
        <p className="muted">Your vehicles, fill-ups, maintenance and stations.</p>
        {expired && (
          <p className="notice notice--info" role="status">
            Your session has expired. Sign in again: what you were typing is kept.
          </p>
        )}
        {config.signIn === 'auth0' ? (
          <button type="button" className="button button--wide" onClick={auth0SignIn}>Sign in</button>
        ) : (
          <form onSubmit={devSignIn} noValidate>
            <TextField label="User name" value={username} onValue={setUsername} error={errors.username}
              autoComplete="username" autoCapitalize="none" required
              hint="Local development: any name signs in as that user." />
            <ErrorNotice error={error} knownFields={['username']} />
            <button type="submit" className="button button--wide" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
