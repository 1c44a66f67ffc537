// The vehicle a screen is about, kept in the address (?vehicle=id) so a reload or a shared link
// shows the same one; the first vehicle otherwise.

import { Link, useSearchParams } from 'react-router';
import type { Vehicle } from '../api/types';
import { SelectField } from './fields';

export function vehicleName(vehicle: Vehicle): string {
  const description = [vehicle.year, vehicle.make, vehicle.model].filter(Boolean).join(' ');
  return vehicle.nickname || description || vehicle.licensePlate || vehicle.vin || 'Vehicle';
}

export function useChosenVehicle(vehicles: Vehicle[] | undefined): [Vehicle | undefined, (id: string) => void] {
  const [params, setParams] = useSearchParams();
  const wanted = params.get('vehicle');
  const chosen = vehicles?.find((vehicle) => vehicle.id === wanted) ?? vehicles?.[0];
  return [chosen, (id: string) => setParams({ vehicle: id }, { replace: true })];
}

export function VehiclePicker({ vehicles, chosen, onChoose }: {
  vehicles: Vehicle[]; chosen: Vehicle | undefined; onChoose: (id: string) => void;
}) {
  if (vehicles.length === 0) {
    return <p className="notice notice--info">No vehicle yet. <Link to="/vehicles/new">Add your first vehicle</Link>.</p>;
  }
  return (
    <SelectField label="Vehicle" value={chosen?.id ?? ''} onValue={onChoose}
      options={vehicles.map((vehicle) => ({ value: vehicle.id, label: vehicleName(vehicle) }))} />
  );
}
