// CSV export (a download of the vehicle's fill-ups in the chosen units) and import (every row is
// checked first; one bad row imports nothing and each problem is listed with its row).

import { useState, type FormEvent } from 'react';
import { api, download } from '../api/client';
import { useOffline } from '../api/connectivity';
import { ErrorNotice } from '../components/ErrorNotice';
import type { UnitSystem } from '../units/units';

export function CsvTools({ vehicleId, system, onImported }: {
  vehicleId: string; system: UnitSystem; onImported: () => Promise<void>;
}) {
  const offline = useOffline();
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function exportCsv() {
    setError(null);
    try {
      await download(`/api/fuel-logs/vehicle/${vehicleId}/export?units=${system}`, `fuel-logs-${system}.csv`, 'text/csv');
    } catch (caught) {
      setError(caught);
    }
  }

  async function importCsv(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setResult(null);
    if (!file) {
      setError(new Error('Choose a CSV file first'));
      return;
    }
    setBusy(true);
    try {
      const answer = await api<{ imported: number }>(`/api/fuel-logs/vehicle/${vehicleId}/import?units=${system}`, {
        method: 'POST', body: await file.text(), headers: { 'Content-Type': 'text/csv' },
      });
      setResult(`Imported ${answer.imported} fill-up${answer.imported === 1 ? '' : 's'}.`);
      await onImported();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="section" aria-labelledby="csv-heading">
      <h2 id="csv-heading">CSV</h2>
      <p className="muted">Export for a spreadsheet, or import from LubeLogger, Fuelly or Hammond exports (values in the units chosen above).</p>
      <button type="button" className="button button--secondary" onClick={() => void exportCsv()}>Export CSV</button>
      <form className="csv-import" onSubmit={importCsv} noValidate>
        <div className="field">
          <label htmlFor="csv-file">CSV file to import</label>
          <input id="csv-file" type="file" accept=".csv,text/csv" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
        </div>
        <button type="submit" className="button button--secondary" disabled={busy || offline}>{busy ? 'Importing…' : 'Import CSV'}</button>
      </form>
      <ErrorNotice error={error} knownFields={[]} />
      {result && <p className="notice notice--success" role="status">{result}</p>}
    </section>
  );
}
