import { useState } from 'react';
import { api } from '../api/client';
import type { FuelLog } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatMoney, formatNumber } from '../units/units';

export function FuelLogList({ logs, onChanged }: { logs: FuelLog[]; onChanged: () => Promise<void> }) {
  const [error, setError] = useState<unknown>(null);
  const newestFirst = [...logs].sort((a, b) => b.dateTime.localeCompare(a.dateTime));

  async function remove(log: FuelLog) {
    setError(null);
    try {
      await api(`/api/fuel-logs/${log.id}`, { method: 'DELETE' });
      await onChanged();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section className="section" aria-labelledby="log-heading">
      <h2 id="log-heading">Fill-ups</h2>
      <ErrorNotice error={error} />
      {logs.length === 0 && <p className="muted">No fill-ups yet.</p>}
      <ul className="list">
        {newestFirst.map((log) => {
          const labels = log.unitLabels;
          const when = new Date(log.dateTime).toLocaleDateString('en', { year: 'numeric', month: 'short', day: 'numeric' });
          return (
            <li key={log.id} className="list__item fill-up">
              <div>
                <p><strong>{when}</strong> · {formatNumber(log.fuelUnits, 3)} {labels.fuelUnits} · {formatMoney(log.totalCost)}</p>
                <p className="muted">
                  {log.odometerReading !== null && `${formatNumber(log.odometerReading, 1)} ${labels.distance}`}
                  {` · ${formatNumber(log.costPerUnit, 3)} per unit`}
                </p>
                <p>
                  {log.efficiency !== null
                    ? <span className="badge badge--ok">{formatNumber(log.efficiency, 2)} {log.efficiencyLabel}</span>
                    : <span className="badge badge--neutral">No economy figure</span>}{' '}
                  {!log.isFullFill && <span className="badge badge--neutral">Partial</span>}{' '}
                  {log.missedPrevious && <span className="badge badge--warning">After a missed fill-up</span>}
                </p>
              </div>
              <div className="list__actions">
                <ConfirmButton label="Delete" className="button button--small button--danger" confirmLabel="Delete"
                  question={`Delete the fill-up of ${when}?`} onConfirm={() => remove(log)} />
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
