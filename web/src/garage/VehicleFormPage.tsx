// Add or edit a vehicle. "Decode VIN" fills the form from NHTSA vPIC (through the vehicles
// service), or from the VIN alone when vPIC is unavailable, and says which.

import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client';
import { useOffline } from '../api/connectivity';
import type { DecodedVin, Vehicle } from '../api/types';
import { useApiData } from '../api/useApiData';
import { ErrorNotice, fieldErrors } from '../components/ErrorNotice';
import { SelectField, TextField } from '../components/fields';
import { usePageTitle } from '../components/usePageTitle';
import { useDraft } from '../forms/useDraft';
import { useSubmission } from '../forms/useSubmission';
import { normaliseVin, numberOrNull, textOrNull, validateVehicle, vinProblem, type VehicleValues } from '../forms/validation';
import { distanceToMiles, distanceUnit, milesToDistance, type UnitSystem } from '../units/units';
import { useUnits } from '../units/useUnits';
import { decodeMessage } from './decode';

const TEXT_FIELDS = ['make', 'model', 'trimLevel', 'engine', 'transmission', 'driveType', 'fuelType',
  'nickname', 'color', 'licensePlate'] as const;
const FIELDS = ['vin', 'year', 'odometerReading', ...TEXT_FIELDS];
const FUEL_TYPES = ['', 'Gasoline', 'Diesel', 'Electric', 'Hybrid', 'Flexible Fuel'];

function emptyValues(): VehicleValues {
  return Object.fromEntries(FIELDS.map((field) => [field, ''])) as VehicleValues;
}

function valuesOf(vehicle: Vehicle, system: UnitSystem): VehicleValues {
  const values = emptyValues();
  values.vin = vehicle.vin ?? '';
  values.year = vehicle.year?.toString() ?? '';
  values.odometerReading = String(Math.round(milesToDistance(vehicle.odometerReading, system)));
  for (const field of TEXT_FIELDS) values[field] = vehicle[field] ?? '';
  return values;
}

function bodyOf(values: VehicleValues, system: UnitSystem): Record<string, unknown> {
  const body: Record<string, unknown> = {
    vin: values.vin.trim() ? normaliseVin(values.vin) : null,
    year: numberOrNull(values.year),
  };
  for (const field of TEXT_FIELDS) body[field] = textOrNull(values[field]);
  const odometer = numberOrNull(values.odometerReading);
  if (odometer !== null) body.odometerReading = Math.round(distanceToMiles(odometer, system));
  return body;
}

export function VehicleFormPage() {
  const { id } = useParams();
  const system = useUnits();
  const existing = useApiData<Vehicle>(id ? `/api/vehicles/${id}` : null);
  usePageTitle(id ? 'Edit vehicle' : 'Add vehicle');
  if (id && !existing.data) {
    return (
      <>
        <h1>Edit vehicle</h1>
        {existing.loading ? <p>Loading…</p> : <ErrorNotice error={existing.error} onRetry={existing.reload} />}
      </>
    );
  }
  return <VehicleForm key={id ?? 'new'} vehicle={existing.data} system={system} />;
}

function VehicleForm({ vehicle, system }: { vehicle?: Vehicle; system: UnitSystem }) {
  const navigate = useNavigate();
  const offline = useOffline();
  const [values, setValues, clearDraft] = useDraft<VehicleValues>(
    vehicle ? `vehicle-${vehicle.id}` : 'vehicle-new',
    () => (vehicle ? valuesOf(vehicle, system) : emptyValues()),
  );
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const { error, busy, reset, send } = useSubmission();
  const [decoding, setDecoding] = useState(false);
  const [decodeError, setDecodeError] = useState<unknown>(null);
  const [decoded, setDecoded] = useState<DecodedVin | null>(null);

  const set = (field: string) => (value: string) => setValues({ ...values, [field]: value });
  const errors = fieldErrors(localErrors, error, FIELDS);

  async function decode() {
    setDecodeError(null);
    const problem = vinProblem(values.vin) ?? (values.vin.trim() ? null : 'Enter the VIN to decode');
    if (problem) {
      setLocalErrors({ ...localErrors, vin: problem });
      return;
    }
    setLocalErrors({ ...localErrors, vin: '' });
    setDecoding(true);
    try {
      const answer = await api<DecodedVin>('/api/vehicles/decode-vin', { method: 'POST', json: { vin: normaliseVin(values.vin) } });
      const filled: VehicleValues = { ...values, vin: answer.vin };
      if (answer.year) filled.year = String(answer.year);
      filled.make = answer.make ?? (answer.source === 'offline' ? answer.manufacturer ?? values.make : values.make);
      for (const field of ['model', 'trimLevel', 'engine', 'transmission', 'driveType', 'fuelType'] as const) {
        if (answer[field]) filled[field] = answer[field] as string;
      }
      setValues(filled);
      setDecoded(answer);
    } catch (caught) {
      setDecodeError(caught);
    } finally {
      setDecoding(false);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    reset();
    const problems = validateVehicle(values);
    setLocalErrors(problems);
    if (Object.keys(problems).length) return;
    await send(async () => {
      const saved = vehicle
        ? await api<Vehicle>(`/api/vehicles/${vehicle.id}`, { method: 'PUT', json: bodyOf(values, system) })
        : await api<Vehicle>('/api/vehicles', { method: 'POST', json: bodyOf(values, system) });
      clearDraft();
      navigate(`/vehicles/${saved.id}`);
    });
  }

  const fuelOptions = FUEL_TYPES.includes(values.fuelType) ? FUEL_TYPES : [...FUEL_TYPES, values.fuelType];
  return (
    <>
      <h1>{vehicle ? 'Edit vehicle' : 'Add vehicle'}</h1>
      <form className="form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>Identification</legend>
          <div className="vin-row">
            <TextField label="VIN" value={values.vin} onValue={set('vin')} error={errors.vin || undefined}
              autoCapitalize="characters" spellCheck={false} maxLength={20}
              hint="17 characters, on the windscreen or the registration document." />
            <button type="button" className="button button--secondary" onClick={() => void decode()}
              disabled={decoding || offline}>
              {decoding ? 'Decoding…' : 'Decode VIN'}
            </button>
          </div>
          <ErrorNotice error={decodeError} knownFields={[]} />
          {decoded && <DecodeResult decoded={decoded} />}
          <TextField label="Licence plate" value={values.licensePlate} onValue={set('licensePlate')} error={errors.licensePlate} />
          <TextField label="Nickname" value={values.nickname} onValue={set('nickname')} error={errors.nickname} />
        </fieldset>
        <fieldset>
          <legend>Vehicle</legend>
          <div className="grid-2">
            <TextField label="Year" value={values.year} onValue={set('year')} error={errors.year} inputMode="numeric" />
            <TextField label="Make" value={values.make} onValue={set('make')} error={errors.make} />
            <TextField label="Model" value={values.model} onValue={set('model')} error={errors.model} />
            <TextField label="Trim" value={values.trimLevel} onValue={set('trimLevel')} error={errors.trimLevel} />
            <TextField label="Engine" value={values.engine} onValue={set('engine')} error={errors.engine} />
            <TextField label="Transmission" value={values.transmission} onValue={set('transmission')} error={errors.transmission} />
            <TextField label="Drive type" value={values.driveType} onValue={set('driveType')} error={errors.driveType} />
            <SelectField label="Fuel type" value={values.fuelType} onValue={set('fuelType')} error={errors.fuelType}
              options={fuelOptions.map((type) => ({ value: type, label: type || 'Not set' }))} />
            <TextField label="Colour" value={values.color} onValue={set('color')} error={errors.color} />
            <TextField label={`Odometer (${distanceUnit(system)})`} value={values.odometerReading}
              onValue={set('odometerReading')} error={errors.odometerReading} inputMode="numeric" />
          </div>
        </fieldset>
        <ErrorNotice error={error} knownFields={FIELDS} />
        <div className="form__actions">
          <button type="submit" className="button" disabled={busy || offline}>
            {busy ? 'Saving…' : vehicle ? 'Save changes' : 'Add vehicle'}
          </button>
          <Link className="button button--secondary" to={vehicle ? `/vehicles/${vehicle.id}` : '/'}
            onClick={() => clearDraft()}>Cancel</Link>
        </div>
      </form>
    </>
  );
}

function DecodeResult({ decoded }: { decoded: DecodedVin }) {
  const message = decodeMessage(decoded);
  return (
    <div className={`notice notice--${message.tone}`} role="status">
      <p>{message.text}</p>
      {message.warnings.length > 0 && <ul>{message.warnings.map((warning) => <li key={warning}>{warning}</li>)}</ul>}
    </div>
  );
}
