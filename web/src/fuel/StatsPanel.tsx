import type { FuelStats } from '../api/types';
import { formatMoney, formatNumber } from '../units/units';

export function StatsPanel({ stats }: { stats: FuelStats }) {
  const labels = stats.unitLabels;
  const figures: [string, string][] = [
    ['Average economy', `${formatNumber(stats.averageEfficiency, 2)} ${labels.efficiencyUnits}`],
    ['Best', `${formatNumber(stats.bestEfficiency, 2)} ${labels.efficiencyUnits}`],
    ['Worst', `${formatNumber(stats.worstEfficiency, 2)} ${labels.efficiencyUnits}`],
    ['Distance tracked', `${formatNumber(stats.totalDistance, 1)} ${labels.distance}`],
    [stats.fuelKind === 'electric' ? 'Energy' : 'Fuel bought', `${formatNumber(stats.totalFuelUnits, 2)} ${labels.fuelUnits}`],
    ['Total cost', formatMoney(stats.totalCost)],
    ['Average price', `${formatNumber(stats.averageCostPerUnit, 3)} per ${labels.fuelUnits.replace(/s$/, '')}`],
    ['Cost per distance', `${formatNumber(stats.costPerDistance, 3)} per ${labels.distance.replace(/s$/, '')}`],
    ['Fill-ups', String(stats.logCount)],
  ];
  return (
    <section className="section" aria-labelledby="stats-heading">
      <h2 id="stats-heading">Statistics</h2>
      <dl className="stats">
        {figures.map(([name, value]) => (
          <div key={name} className="stat"><dt>{name}</dt><dd>{value}</dd></div>
        ))}
      </dl>
    </section>
  );
}
