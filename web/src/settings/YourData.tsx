// The person's data: all of it as one zip (GET /api/account/export, in their units), and the
// account's deletion (DELETE /api/account), followed until every service has confirmed it.

import { useEffect, useState } from 'react';
import { api, download } from '../api/client';
import { useOffline } from '../api/connectivity';
import { useAuth } from '../auth/AuthContext';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice } from '../components/ErrorNotice';
import type { UnitSystem } from '../units/units';

interface Deletion {
  status: 'pending' | 'completed';
  services: { service: string; status: 'pending' | 'done' }[];
}

const POLL_MS = 2000;

export function YourData({ system }: { system: UnitSystem }) {
  const offline = useOffline();
  const { signOut } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);
  const [deletion, setDeletion] = useState<Deletion | null>(null);

  async function exportAll() {
    setError(null);
    setExporting(true);
    try {
      await download(`/api/account/export?units=${system}`, `motovault-export-${system}.zip`, 'application/zip');
    } catch (caught) {
      setError(caught);
    } finally {
      setExporting(false);
    }
  }

  async function deleteAccount() {
    setError(null);
    try {
      setDeletion(await api<Deletion>('/api/account', { method: 'DELETE' }));
    } catch (caught) {
      setError(caught);
    }
  }

  // Until every service has removed its part; then nothing of the person is left to show.
  useEffect(() => {
    if (deletion?.status !== 'pending') {
      if (deletion?.status === 'completed') signOut();
      return undefined;
    }
    const timer = setTimeout(() => {
      api<Deletion>('/api/account/deletion').then(setDeletion, setError);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [deletion, signOut]);

  const pending = (deletion?.services ?? []).filter((part) => part.status !== 'done').map((part) => part.service);
  return (
    <section className="section" aria-labelledby="data-heading">
      <h2 id="data-heading">Your data</h2>
      <p className="muted">Everything you keep here, as JSON and CSV with your photos, documents and receipts, in
        one zip file.</p>
      <button type="button" className="button button--secondary" disabled={exporting || offline}
        onClick={() => void exportAll()}>{exporting ? 'Preparing the download…' : 'Download all my data'}</button>
      <ConfirmButton label="Delete my account" confirmLabel="Delete everything"
        question="Delete your account? Every vehicle, fill-up, service record, saved station, document and photo is removed for good."
        onConfirm={deleteAccount} />
      {deletion && (
        <p role="status" aria-live="polite">
          {deletion.status === 'completed' ? 'Your account has been deleted.'
            : `Deleting your account… waiting for ${pending.map((name) => name.replace('_', ' ')).join(', ') || 'confirmation'}.`}
        </p>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}
