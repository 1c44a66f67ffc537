import { Link } from 'react-router';
import { useApiData } from '../api/useApiData';
import type { Vehicle } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';
import { usePageTitle } from '../components/usePageTitle';
import { vehicleName } from '../components/VehiclePicker';
import { distanceUnit, formatNumber, milesToDistance } from '../units/units';
import { useUnits } from '../units/useUnits';
import { VehicleImage } from './VehicleImage';

export function GaragePage() {
  usePageTitle('Garage');
  const vehicles = useApiData<Vehicle[]>('/api/vehicles');
  const system = useUnits();
  return (
    <>
      <div className="page-head">
        <h1>Garage</h1>
        <Link className="button" to="/vehicles/new">Add vehicle</Link>
      </div>
      <ErrorNotice error={vehicles.error} onRetry={vehicles.reload} />
      {vehicles.loading && !vehicles.data && <p aria-live="polite">Loading your vehicles…</p>}
      {vehicles.data?.length === 0 && (
        <p className="notice notice--info">Your garage is empty. Add a vehicle to start tracking fill-ups and service.</p>
      )}
      <ul className="cards" aria-label="Vehicles">
        {vehicles.data?.map((vehicle) => (
          <li key={vehicle.id} className="card vehicle-card">
            <VehicleImage vehicle={vehicle} />
            <div className="vehicle-card__body">
              <h2><Link to={`/vehicles/${vehicle.id}`}>{vehicleName(vehicle)}</Link></h2>
              <p className="muted">{[vehicle.year, vehicle.make, vehicle.model, vehicle.trimLevel].filter(Boolean).join(' ')}</p>
              <dl className="facts">
                {vehicle.licensePlate && <><dt>Plate</dt><dd>{vehicle.licensePlate}</dd></>}
                {vehicle.vin && <><dt>VIN</dt><dd className="mono">{vehicle.vin}</dd></>}
                <dt>Odometer</dt><dd>{formatNumber(milesToDistance(vehicle.odometerReading, system), 0)} {distanceUnit(system)}</dd>
              </dl>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
