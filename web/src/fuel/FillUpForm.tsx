// Add a fill-up in the person's units: full or partial tank, and whether the previous fill-up
// was missed (then no economy figure spans the gap).

import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useOffline } from '../api/connectivity';
import type { Station } from '../api/types';
import { useApiData } from '../api/useApiData';
import { needsOdometerConfirmation } from '../api/errors';
import { ErrorNotice, fieldErrors } from '../components/ErrorNotice';
import { CheckboxField, SelectField, TextField } from '../components/fields';
import { useDraft } from '../forms/useDraft';
import { useSubmission } from '../forms/useSubmission';
import { numberOrNull, textOrNull, validateFillUp, type FillUpValues } from '../forms/validation';
import { distanceUnit, formatMoney, fuelUnit, type UnitSystem } from '../units/units';

const FIELDS = ['dateTime', 'odometerReading', 'tripDistance', 'fuelType', 'fuelGrade', 'fuelUnits', 'costPerUnit',
  'isFullFill', 'missedPrevious', 'notes'];
const GRADES: Record<string, string[]> = { gasoline: ['87', '88', '89', '91', '93'], diesel: ['#1', '#2'], electric: [] };
const FUEL_TYPES = [{ value: 'gasoline', label: 'Gasoline' }, { value: 'diesel', label: 'Diesel' }, { value: 'electric', label: 'Electric' }];

interface Values extends FillUpValues {
  fuelType: string; fuelGrade: string; notes: string; isFullFill: string; missedPrevious: string; placeId: string;
}

function localNow(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

/** The vehicle's fuel type as the fuel-logs service reads it: anything unknown is gasoline. */
export function defaultFuelType(vehicleFuelType: string | null | undefined): string {
  const type = (vehicleFuelType ?? '').trim().toLowerCase();
  return type in GRADES ? type : 'gasoline';
}

export function FillUpForm({ vehicleId, vehicleFuelType, system, onAdded }: {
  vehicleId: string; vehicleFuelType: string | null; system: UnitSystem; onAdded: () => Promise<void>;
}) {
  const offline = useOffline();
  // Saved stations: a fill-up at one records the price seen there.
  const stations = useApiData<Station[]>('/api/stations/saved');
  const initial = (): Values => ({
    dateTime: localNow(), odometerReading: '', tripDistance: '', fuelUnits: '', costPerUnit: '',
    fuelType: defaultFuelType(vehicleFuelType), fuelGrade: '', notes: '', isFullFill: 'true', missedPrevious: 'false',
    placeId: '',
  });
  const [values, setValues, clearDraft] = useDraft<Values>(`fill-up-${vehicleId}`, initial);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const { error, busy, reset, send } = useSubmission();
  const [added, setAdded] = useState<string | null>(null);
  const errors = fieldErrors(localErrors, error, FIELDS);
  const set = (field: keyof Values) => (value: string) => setValues({ ...values, [field]: value });
  const kind = values.fuelType === 'electric' ? 'electric' : 'liquid';
  const unit = fuelUnit(system, kind);
  const total = (numberOrNull(values.fuelUnits) ?? 0) * (numberOrNull(values.costPerUnit) ?? 0);

  /** `confirmOdometer`: the person says the reading is right although it contradicts another fill-up. */
  async function submit(event: FormEvent, confirmOdometer = false) {
    event.preventDefault();
    reset();
    setAdded(null);
    const problems = validateFillUp(values);
    setLocalErrors(problems);
    if (Object.keys(problems).length) return;
    const station = stations.data?.find((saved) => saved.placeId === values.placeId);
    await send(async () => {
      await api(`/api/fuel-logs?units=${system}`, {
        method: 'POST',
        json: {
          vehicleId,
          dateTime: new Date(values.dateTime).toISOString(),
          odometerReading: numberOrNull(values.odometerReading),
          tripDistance: numberOrNull(values.tripDistance),
          fuelType: values.fuelType,
          fuelGrade: textOrNull(values.fuelGrade),
          fuelUnits: numberOrNull(values.fuelUnits),
          costPerUnit: numberOrNull(values.costPerUnit),
          isFullFill: values.isFullFill === 'true',
          missedPrevious: values.missedPrevious === 'true',
          notes: textOrNull(values.notes),
          locationData: station ? { placeId: station.placeId, name: station.name } : null,
          ...(confirmOdometer ? { confirmOdometer: true } : {}),
        },
      });
      clearDraft();
      setAdded(`Fill-up added: ${values.fuelUnits} ${unit}, ${formatMoney(total)} in total.`);
      await onAdded();
    });
  }

  const grades = GRADES[values.fuelType] ?? [];
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="fill-up-heading">
      <h2 id="fill-up-heading">Add a fill-up</h2>
      <div className="grid-2">
        <TextField label="Date and time" type="datetime-local" value={values.dateTime} onValue={set('dateTime')} error={errors.dateTime} />
        <TextField label={`Odometer (${distanceUnit(system)})`} value={values.odometerReading} onValue={set('odometerReading')}
          error={errors.odometerReading} inputMode="decimal" />
        <TextField label={`${kind === 'electric' ? 'Energy' : 'Fuel'} (${unit})`} value={values.fuelUnits}
          onValue={set('fuelUnits')} error={errors.fuelUnits} inputMode="decimal" />
        <TextField label={`Price per ${unit}`} value={values.costPerUnit} onValue={set('costPerUnit')}
          error={errors.costPerUnit} inputMode="decimal" hint={total > 0 ? `Total ${formatMoney(total)}` : undefined} />
        <SelectField label="Fuel type" value={values.fuelType} options={FUEL_TYPES} error={errors.fuelType}
          onValue={(fuelType) => setValues({ ...values, fuelType, fuelGrade: '' })} />
        {grades.length > 0 && (
          <SelectField label="Grade" value={values.fuelGrade} onValue={set('fuelGrade')} error={errors.fuelGrade}
            options={[{ value: '', label: 'Not set' }, ...grades.map((grade) => ({ value: grade, label: grade }))]} />
        )}
        <TextField label={`Trip distance (${distanceUnit(system)}, optional)`} value={values.tripDistance}
          onValue={set('tripDistance')} error={errors.tripDistance} inputMode="decimal" />
        <SelectField label="Station (optional)" value={values.placeId} onValue={set('placeId')}
          options={[{ value: '', label: stations.data?.length ? 'Not set' : 'Not set (save stations to pick one)' },
            ...(stations.data ?? []).map((station) => ({ value: station.placeId, label: station.nickname || station.name }))]} />
        <TextField label="Notes (optional)" value={values.notes} onValue={set('notes')} error={errors.notes} />
      </div>
      <CheckboxField label="Filled the tank up (full)" checked={values.isFullFill === 'true'}
        onChecked={(checked) => setValues({ ...values, isFullFill: String(checked) })}
        hint="Untick for a partial fill: it is counted in the next full fill's economy." />
      <CheckboxField label="I missed recording the previous fill-up" checked={values.missedPrevious === 'true'}
        onChecked={(checked) => setValues({ ...values, missedPrevious: String(checked) })}
        hint="No economy figure is computed across the gap." />
      <ErrorNotice error={error} knownFields={FIELDS} />
      {needsOdometerConfirmation(error) && (
        <button type="button" className="button button--secondary" disabled={busy || offline}
          onClick={(event) => void submit(event, true)}>The reading is right: add it anyway</button>
      )}
      {added && <p className="notice notice--success" role="status">{added}</p>}
      <button type="submit" className="button" disabled={busy || offline}>{busy ? 'Adding…' : 'Add fill-up'}</button>
    </form>
  );
}
