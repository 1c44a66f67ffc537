// Unit systems the person can choose, as the API names them (`units=` of the fuel-logs routes),
// and how figures are labelled and converted for display. Pure: no storage, no DOM.

export type UnitSystem = 'imperial' | 'uk' | 'metric' | 'metric_kml';
export type FuelKind = 'liquid' | 'electric';

export const UNIT_SYSTEMS: { value: UnitSystem; label: string }[] = [
  { value: 'imperial', label: 'US: miles, gallons, MPG' },
  { value: 'uk', label: 'UK: miles, litres, MPG (imperial gallons)' },
  { value: 'metric', label: 'Metric: km, litres, L/100 km' },
  { value: 'metric_kml', label: 'Metric: km, litres, km/L' },
];

export const KM_PER_MILE = 1.609344;
export const LITRES_PER_US_GALLON = 3.785411784;

export function isUnitSystem(value: unknown): value is UnitSystem {
  return UNIT_SYSTEMS.some((system) => system.value === value);
}

export function usesKm(system: UnitSystem): boolean {
  return system === 'metric' || system === 'metric_kml';
}

export function usesLitres(system: UnitSystem): boolean {
  return system !== 'imperial';
}

/** Maintenance distances know only miles and km. */
export function maintenanceUnits(system: UnitSystem): 'imperial' | 'metric' {
  return usesKm(system) ? 'metric' : 'imperial';
}

export function distanceUnit(system: UnitSystem): string {
  return usesKm(system) ? 'km' : 'mi';
}

export function fuelUnit(system: UnitSystem, kind: FuelKind): string {
  if (kind === 'electric') return 'kWh';
  return usesLitres(system) ? 'L' : 'gal';
}

export function economyUnit(system: UnitSystem, kind: FuelKind): string {
  if (kind === 'electric') {
    return system === 'metric' ? 'kWh/100 km' : system === 'metric_kml' ? 'km/kWh' : 'mi/kWh';
  }
  return { imperial: 'MPG', uk: 'MPG (UK)', metric: 'L/100 km', metric_kml: 'km/L' }[system];
}

/** L/100 km and kWh/100 km improve downwards; every other figure upwards. */
export function lowerIsBetter(system: UnitSystem): boolean {
  return system === 'metric';
}

/** Station prices are recorded per US gallon (per kWh for electricity). */
export function pricePerUnit(perGallonOrKwh: number, system: UnitSystem, fuelType: string | null): number {
  if (fuelType === 'electric' || !usesLitres(system)) return perGallonOrKwh;
  return perGallonOrKwh / LITRES_PER_US_GALLON;
}

export function priceUnit(system: UnitSystem, fuelType: string | null): string {
  if (fuelType === 'electric') return 'kWh';
  return usesLitres(system) ? 'L' : 'gal';
}

/** A distance in metres (station search) in the person's distance unit. */
export function formatMetres(metres: number, system: UnitSystem): string {
  const value = usesKm(system) ? metres / 1000 : metres / 1000 / KM_PER_MILE;
  if (value < 0.1) return `under 0.1 ${distanceUnit(system)}`; // "0 mi" would read as "here"
  return `${formatNumber(value, value < 10 ? 1 : 0)} ${distanceUnit(system)}`;
}

export function formatNumber(value: number | string | null | undefined, decimals = 1): string {
  if (value === null || value === undefined || value === '') return '–';
  const number = typeof value === 'string' ? Number(value) : value;
  if (!Number.isFinite(number)) return '–';
  return number.toLocaleString('en', { minimumFractionDigits: 0, maximumFractionDigits: decimals });
}

export function formatMoney(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  const number = Number(value);
  if (!Number.isFinite(number)) return '–';
  return number.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Vehicle odometers are kept in miles by the API; shown and typed in the person's unit. */
export function milesToDistance(miles: number, system: UnitSystem): number {
  return usesKm(system) ? miles * KM_PER_MILE : miles;
}

export function distanceToMiles(distance: number, system: UnitSystem): number {
  return usesKm(system) ? distance / KM_PER_MILE : distance;
}
