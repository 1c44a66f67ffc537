// Service: what is coming up (urgency in colour and words, projected due dates), the schedules
// behind it, the records of work done, and forms for both.

import { useState } from 'react';
import { api } from '../api/client';
import type { ServiceRecord, UpcomingItem, Vehicle } from '../api/types';
import { useApiData } from '../api/useApiData';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { usePageTitle } from '../components/usePageTitle';
import { useChosenVehicle, VehiclePicker } from '../components/VehiclePicker';
import { formatMoney, formatNumber, maintenanceUnits } from '../units/units';
import { useUnits } from '../units/useUnits';
import { RecordForm } from './RecordForm';
import { ScheduleForm } from './ScheduleForm';
import { CATEGORIES } from './SubtypePicker';
import { dueText, formatDate, URGENCY_TEXT, URGENCY_TONE } from './urgency';

function categoryName(value: string): string {
  return CATEGORIES.find((category) => category.value === value)?.label ?? value;
}

export function MaintenancePage() {
  usePageTitle('Service');
  const vehicles = useApiData<Vehicle[]>('/api/vehicles');
  const [vehicle, choose] = useChosenVehicle(vehicles.data);
  const units = maintenanceUnits(useUnits());
  const distanceUnit = units === 'metric' ? 'km' : 'mi';
  const upcoming = useApiData<UpcomingItem[]>(vehicle ? `/api/maintenance/upcoming/${vehicle.id}?units=${units}` : null);
  const records = useApiData<ServiceRecord[]>(vehicle ? `/api/maintenance/records/vehicle/${vehicle.id}?units=${units}` : null);
  const [actionError, setActionError] = useState<unknown>(null);

  async function reload() {
    await Promise.all([upcoming.reload(), records.reload()]);
  }

  async function remove(path: string) {
    setActionError(null);
    try {
      await api(path, { method: 'DELETE' });
      await reload();
    } catch (caught) {
      setActionError(caught);
    }
  }

  return (
    <>
      <h1>Service</h1>
      <ErrorNotice error={vehicles.error} onRetry={vehicles.reload} />
      {vehicles.data && <VehiclePicker vehicles={vehicles.data} chosen={vehicle} onChoose={choose} />}
      {vehicle && (
        <>
          <section className="section" aria-labelledby="upcoming-heading">
            <h2 id="upcoming-heading">Upcoming</h2>
            <ErrorNotice error={upcoming.error} onRetry={upcoming.reload} />
            <ErrorNotice error={actionError} />
            {upcoming.data?.length === 0 && <p className="muted">No schedules yet: add one below to get reminders.</p>}
            <ul className="list" aria-label="Upcoming service">
              {upcoming.data?.map((item) => (
                <li key={item.id} className={`list__item upcoming upcoming--${URGENCY_TONE[item.urgency]}`}>
                  <div>
                    <p>
                      <span className={`badge badge--${URGENCY_TONE[item.urgency]}`}>{URGENCY_TEXT[item.urgency]}</span>{' '}
                      <strong>{item.subtypes.join(', ')}</strong>
                    </p>
                    <p className="muted">
                      {categoryName(item.category)} · every {[
                        item.intervalMonths && `${item.intervalMonths} months`,
                        item.intervalDistance && `${formatNumber(item.intervalDistance, 0)} ${distanceUnit}`,
                      ].filter(Boolean).join(' or ')}
                    </p>
                    {dueText(item, distanceUnit).map((line) => <p key={line}>{line}</p>)}
                    {item.projectedDueDate && (
                      <p className="muted">Projected due date at your driving rate: {formatDate(item.projectedDueDate)}</p>
                    )}
                  </div>
                  <div className="list__actions">
                    <ConfirmButton label="Delete" className="button button--small button--danger" confirmLabel="Delete"
                      question={`Delete the schedule for ${item.subtypes.join(', ')}?`}
                      onConfirm={() => remove(`/api/maintenance/schedules/${item.id}`)} />
                  </div>
                </li>
              ))}
            </ul>
          </section>
          <div className="two-columns">
            <ScheduleForm key={`s-${vehicle.id}`} vehicleId={vehicle.id} units={units} distanceUnit={distanceUnit} onAdded={reload} />
            <RecordForm key={`r-${vehicle.id}`} vehicleId={vehicle.id} units={units} distanceUnit={distanceUnit} onAdded={reload} />
          </div>
          <section className="section" aria-labelledby="records-heading">
            <h2 id="records-heading">Service records</h2>
            <ErrorNotice error={records.error} onRetry={records.reload} />
            {records.data?.length === 0 && <p className="muted">No service recorded yet.</p>}
            <ul className="list">
              {records.data?.map((record) => (
                <li key={record.id} className="list__item">
                  <div>
                    <p><strong>{formatDate(record.date)}</strong> · {record.subtypes.join(', ')}</p>
                    <p className="muted">
                      {[categoryName(record.category),
                        record.odometerReading !== null && `${formatNumber(record.odometerReading, 0)} ${distanceUnit}`,
                        record.cost !== null && formatMoney(record.cost), record.shopName].filter(Boolean).join(' · ')}
                    </p>
                  </div>
                  <div className="list__actions">
                    <ConfirmButton label="Delete" className="button button--small button--danger" confirmLabel="Delete"
                      question={`Delete the record of ${formatDate(record.date)}?`}
                      onConfirm={() => remove(`/api/maintenance/records/${record.id}`)} />
                  </div>
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </>
  );
}
