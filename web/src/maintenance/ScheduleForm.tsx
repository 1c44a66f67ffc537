// A maintenance schedule: every N months and/or every N distance units, from the last service.

import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useOffline } from '../api/connectivity';
import { ErrorNotice, fieldErrors } from '../components/ErrorNotice';
import { SelectField, TextField } from '../components/fields';
import { useDraft } from '../forms/useDraft';
import { useSubmission } from '../forms/useSubmission';
import { numberOrNull, textOrNull, validateSchedule } from '../forms/validation';
import { CATEGORIES, SubtypePicker } from './SubtypePicker';

const FIELDS = ['category', 'subtypes', 'intervalMonths', 'intervalDistance', 'lastServiceDate', 'lastServiceOdometer', 'notes'];

export function ScheduleForm({ vehicleId, units, distanceUnit, onAdded }: {
  vehicleId: string; units: 'imperial' | 'metric'; distanceUnit: string; onAdded: () => Promise<void>;
}) {
  const offline = useOffline();
  const [values, setValues, clearDraft] = useDraft(`schedule-${vehicleId}`, () => ({
    category: 'routine_maintenance', subtypes: [] as string[], intervalMonths: '', intervalDistance: '',
    lastServiceDate: '', lastServiceOdometer: '', notes: '',
  }));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const { error, busy, reset, send } = useSubmission();
  const errors = fieldErrors(localErrors, error, FIELDS);
  const set = (field: string) => (value: string) => setValues({ ...values, [field]: value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    reset();
    const problems = validateSchedule(values);
    setLocalErrors(problems);
    if (Object.keys(problems).length) return;
    await send(async () => {
      await api('/api/maintenance/schedules', {
        method: 'POST',
        json: {
          vehicleId, units, category: values.category, subtypes: values.subtypes,
          intervalMonths: numberOrNull(values.intervalMonths), intervalDistance: numberOrNull(values.intervalDistance),
          lastServiceDate: values.lastServiceDate || null, lastServiceOdometer: numberOrNull(values.lastServiceOdometer),
          notes: textOrNull(values.notes),
        },
      });
      clearDraft();
      await onAdded();
    });
  }

  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="schedule-heading">
      <h2 id="schedule-heading">Add a schedule</h2>
      <SelectField label="Category" value={values.category} options={CATEGORIES} error={errors.category}
        onValue={(category) => setValues({ ...values, category, subtypes: [] })} />
      <SubtypePicker idPrefix="schedule" category={values.category} chosen={values.subtypes} error={errors.subtypes}
        onChange={(subtypes) => setValues({ ...values, subtypes })} />
      <div className="grid-2">
        <TextField label="Every (months)" value={values.intervalMonths} onValue={set('intervalMonths')}
          error={errors.intervalMonths} inputMode="numeric" />
        <TextField label={`Every (${distanceUnit})`} value={values.intervalDistance} onValue={set('intervalDistance')}
          error={errors.intervalDistance} inputMode="decimal" />
        <TextField label="Last done on" type="date" value={values.lastServiceDate} onValue={set('lastServiceDate')}
          error={errors.lastServiceDate} />
        <TextField label={`Last done at (${distanceUnit})`} value={values.lastServiceOdometer}
          onValue={set('lastServiceOdometer')} error={errors.lastServiceOdometer} inputMode="decimal" />
      </div>
      <ErrorNotice error={error} knownFields={FIELDS} />
      <button type="submit" className="button" disabled={busy || offline}>{busy ? 'Adding…' : 'Add schedule'}</button>
    </form>
  );
}
