// Fuel: the chosen vehicle's fill-ups in the chosen units, statistics, charts, CSV in and out.

import { useMemo } from 'react';
import type { FuelLog, FuelStats, Vehicle } from '../api/types';
import { useApiData } from '../api/useApiData';
import { ErrorNotice } from '../components/ErrorNotice';
import { SelectField } from '../components/fields';
import { usePageTitle } from '../components/usePageTitle';
import { useChosenVehicle, VehiclePicker } from '../components/VehiclePicker';
import { UNIT_SYSTEMS, isUnitSystem } from '../units/units';
import { setUnits, useUnits } from '../units/useUnits';
import { SimpleChart } from './Chart';
import { CsvTools } from './CsvTools';
import { FillUpForm } from './FillUpForm';
import { FuelLogList } from './FuelLogList';
import { economySeries, monthlyCostSeries } from './series';
import { StatsPanel } from './StatsPanel';

export function FuelPage() {
  usePageTitle('Fuel');
  const vehicles = useApiData<Vehicle[]>('/api/vehicles');
  const [vehicle, choose] = useChosenVehicle(vehicles.data);
  const system = useUnits();
  const base = vehicle ? `/api/fuel-logs/vehicle/${vehicle.id}` : null;
  const logs = useApiData<FuelLog[]>(base && `${base}?units=${system}`);
  const stats = useApiData<FuelStats>(base && `${base}/stats?units=${system}`);
  const economy = useMemo(() => economySeries(logs.data ?? []), [logs.data]);
  const monthlyCost = useMemo(() => monthlyCostSeries(stats.data?.monthly ?? []), [stats.data]);

  async function reload() {
    await Promise.all([logs.reload(), stats.reload()]);
  }

  return (
    <>
      <h1>Fuel</h1>
      <ErrorNotice error={vehicles.error} onRetry={vehicles.reload} />
      {vehicles.data && (
        <div className="toolbar">
          <VehiclePicker vehicles={vehicles.data} chosen={vehicle} onChoose={choose} />
          <SelectField label="Units" value={system} options={UNIT_SYSTEMS}
            onValue={(value) => isUnitSystem(value) && setUnits(value)} />
        </div>
      )}
      {vehicle && (
        <>
          <FillUpForm key={vehicle.id} vehicleId={vehicle.id} vehicleFuelType={vehicle.fuelType} system={system} onAdded={reload} />
          <ErrorNotice error={stats.error} onRetry={stats.reload} />
          {stats.data && <StatsPanel stats={stats.data} />}
          {stats.data && (
            <section className="section charts" aria-label="Charts">
              <SimpleChart kind="line" title={`Economy per fill-up (${stats.data.unitLabels.efficiencyUnits})`}
                valueLabel={stats.data.unitLabels.efficiencyUnits} labels={economy.labels} values={economy.values} />
              <SimpleChart kind="bar" title="Fuel cost per month" valueLabel="Cost"
                labels={monthlyCost.labels} values={monthlyCost.values} />
            </section>
          )}
          <ErrorNotice error={logs.error} onRetry={logs.reload} />
          {logs.data && <FuelLogList logs={logs.data} onChanged={reload} />}
          <CsvTools vehicleId={vehicle.id} system={system} onImported={reload} />
        </>
      )}
    </>
  );
}
