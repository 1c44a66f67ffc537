// One vehicle: its photo (upload or replace), its details, its documents, edit and delete.

import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, uploadToStorage } from '../api/client';
import type { PresignedUpload, Vehicle } from '../api/types';
import { useApiData } from '../api/useApiData';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { usePageTitle } from '../components/usePageTitle';
import { vehicleName } from '../components/VehiclePicker';
import { distanceUnit, formatNumber, milesToDistance } from '../units/units';
import { useUnits } from '../units/useUnits';
import { DocumentsSection } from './DocumentsSection';
import { VehicleImage } from './VehicleImage';
import { useOffline } from '../api/connectivity';

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic'];

export function VehiclePage() {
  const { id = '' } = useParams();
  const vehicle = useApiData<Vehicle>(`/api/vehicles/${id}`);
  const navigate = useNavigate();
  const [deleteError, setDeleteError] = useState<unknown>(null);
  usePageTitle(vehicle.data ? vehicleName(vehicle.data) : 'Vehicle');

  if (!vehicle.data) {
    return (
      <>
        <h1>Vehicle</h1>
        {vehicle.loading ? <p>Loading…</p> : <ErrorNotice error={vehicle.error} onRetry={vehicle.reload} />}
      </>
    );
  }
  const current = vehicle.data;

  async function remove() {
    setDeleteError(null);
    try {
      await api(`/api/vehicles/${current.id}`, { method: 'DELETE' });
      navigate('/');
    } catch (caught) {
      setDeleteError(caught);
    }
  }

  return (
    <>
      <div className="page-head">
        <h1>{vehicleName(current)}</h1>
        <Link className="button button--secondary" to={`/vehicles/${current.id}/edit`}>Edit</Link>
      </div>
      <div className="vehicle-layout">
        <PhotoSection vehicle={current} onChanged={vehicle.reload} />
        <VehicleFacts vehicle={current} />
      </div>
      <nav className="quick-links" aria-label="This vehicle">
        <Link to={`/fuel?vehicle=${current.id}`}>Fill-ups</Link>
        <Link to={`/maintenance?vehicle=${current.id}`}>Service</Link>
      </nav>
      <DocumentsSection vehicleId={current.id} />
      <section className="section danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete</h2>
        <p>Deleting the vehicle also deletes its fill-ups, service records, schedules, photo and documents.</p>
        <ErrorNotice error={deleteError} />
        <ConfirmButton label="Delete vehicle" confirmLabel="Delete"
          question={`Delete ${vehicleName(current)} and everything recorded for it? This cannot be undone.`}
          onConfirm={remove} />
      </section>
    </>
  );
}

function VehicleFacts({ vehicle }: { vehicle: Vehicle }) {
  const system = useUnits();
  const facts: [string, string | null][] = [
    ['Year', vehicle.year?.toString() ?? null], ['Make', vehicle.make], ['Model', vehicle.model],
    ['Trim', vehicle.trimLevel], ['Engine', vehicle.engine], ['Transmission', vehicle.transmission],
    ['Drive type', vehicle.driveType], ['Fuel type', vehicle.fuelType], ['Colour', vehicle.color],
    ['Licence plate', vehicle.licensePlate], ['VIN', vehicle.vin],
    ['Odometer', `${formatNumber(milesToDistance(vehicle.odometerReading, system), 0)} ${distanceUnit(system)}`],
  ];
  return (
    <dl className="facts facts--table">
      {facts.filter(([, value]) => value).map(([name, value]) => (
        <div key={name}><dt>{name}</dt><dd>{value}</dd></div>
      ))}
    </dl>
  );
}

function PhotoSection({ vehicle, onChanged }: { vehicle: Vehicle; onChanged: () => Promise<void> }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const offline = useOffline();

  async function upload(file: File | undefined) {
    if (!file) return;
    setError(null);
    setBusy(true);
    try {
      if (!IMAGE_TYPES.includes(file.type)) throw new Error('Choose a JPEG, PNG, WebP or HEIC image');
      const target = await api<PresignedUpload>(`/api/vehicles/${vehicle.id}/image`, {
        method: 'POST', json: { contentType: file.type },
      });
      await uploadToStorage(target, file);
      await onChanged();
      setVersion(version + 1);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="photo" aria-label="Photo">
      <VehicleImage vehicle={vehicle} version={version} />
      <label className={`button button--secondary file-button${busy || offline ? ' button--disabled' : ''}`}>
        {busy ? 'Uploading…' : vehicle.imageUrl ? 'Replace photo' : 'Add photo'}
        <input type="file" accept={IMAGE_TYPES.join(',')} disabled={busy || offline}
          onChange={(event) => void upload(event.target.files?.[0])} />
      </label>
      <ErrorNotice error={error} />
    </section>
  );
}
