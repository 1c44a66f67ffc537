// A service done: what, when, at what odometer, for how much. A record of a scheduled item
// completes the schedule, which then counts from this service.

import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useOffline } from '../api/connectivity';
import { needsOdometerConfirmation } from '../api/errors';
import { ErrorNotice, fieldErrors } from '../components/ErrorNotice';
import { SelectField, TextField } from '../components/fields';
import { useDraft } from '../forms/useDraft';
import { useSubmission } from '../forms/useSubmission';
import { numberOrNull, textOrNull, validateRecord } from '../forms/validation';
import { CATEGORIES, SubtypePicker } from './SubtypePicker';

const FIELDS = ['category', 'subtypes', 'date', 'odometerReading', 'cost', 'shopName', 'notes'];

function today(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 10);
}

export function RecordForm({ vehicleId, units, distanceUnit, onAdded }: {
  vehicleId: string; units: 'imperial' | 'metric'; distanceUnit: string; onAdded: () => Promise<void>;
}) {
  const offline = useOffline();
  const [values, setValues, clearDraft] = useDraft(`record-${vehicleId}`, () => ({
    category: 'routine_maintenance', subtypes: [] as string[], date: today(), odometerReading: '', cost: '',
    shopName: '', notes: '',
  }));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const { error, busy, reset, send } = useSubmission();
  const errors = fieldErrors(localErrors, error, FIELDS);
  const set = (field: string) => (value: string) => setValues({ ...values, [field]: value });

  /** `confirmOdometer`: the person says the reading is right although it contradicts another record. */
  async function submit(event: FormEvent, confirmOdometer = false) {
    event.preventDefault();
    reset();
    const problems = validateRecord(values);
    setLocalErrors(problems);
    if (Object.keys(problems).length) return;
    await send(async () => {
      await api('/api/maintenance/records', {
        method: 'POST',
        json: {
          vehicleId, units, category: values.category, subtypes: values.subtypes, date: values.date,
          odometerReading: numberOrNull(values.odometerReading), cost: numberOrNull(values.cost),
          shopName: textOrNull(values.shopName), notes: textOrNull(values.notes),
          ...(confirmOdometer ? { confirmOdometer: true } : {}),
        },
      });
      clearDraft();
      await onAdded();
    });
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="record-heading">
      <h2 id="record-heading">Add a service record</h2>
      <SelectField label="Category" value={values.category} options={CATEGORIES} error={errors.category}
        onValue={(category) => setValues({ ...values, category, subtypes: [] })} />
      <SubtypePicker idPrefix="record" category={values.category} chosen={values.subtypes} error={errors.subtypes}
        onChange={(subtypes) => setValues({ ...values, subtypes })} />
      <div className="grid-2">
        <TextField label="Date" type="date" value={values.date} onValue={set('date')} error={errors.date} />
        <TextField label={`Odometer (${distanceUnit})`} value={values.odometerReading} onValue={set('odometerReading')}
          error={errors.odometerReading} inputMode="decimal" />
        <TextField label="Cost" value={values.cost} onValue={set('cost')} error={errors.cost} inputMode="decimal" />
        <TextField label="Shop" value={values.shopName} onValue={set('shopName')} error={errors.shopName} />
      </div>
      <TextField label="Notes" value={values.notes} onValue={set('notes')} error={errors.notes} />
      <ErrorNotice error={error} knownFields={FIELDS} />
      {needsOdometerConfirmation(error) && (
        <button type="button" className="button button--secondary" disabled={busy || offline}
          onClick={(event) => void submit(event, true)}>The reading is right: add it anyway</button>
      )}
      <button type="submit" className="button" disabled={busy || offline}>{busy ? 'Adding…' : 'Add record'}</button>
    </form>
  );
}
