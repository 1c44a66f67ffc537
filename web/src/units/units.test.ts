import { describe, expect, it } from 'vitest';
import {
  economyUnit, formatMetres, formatMoney, formatNumber, fuelUnit, isUnitSystem, lowerIsBetter,
  maintenanceUnits, pricePerUnit,
} from './units';

describe('unit labels', () => {
  it('names the economy figure of each system and of electric vehicles', () => {
    expect(economyUnit('imperial', 'liquid')).toBe('MPG');
    expect(economyUnit('uk', 'liquid')).toBe('MPG (UK)');
    expect(economyUnit('metric', 'liquid')).toBe('L/100 km');
    expect(economyUnit('metric_kml', 'liquid')).toBe('km/L');
    expect(economyUnit('imperial', 'electric')).toBe('mi/kWh');
    expect(economyUnit('metric', 'electric')).toBe('kWh/100 km');
  });

  it('buys litres in every system but the US one, kWh when electric', () => {
    expect(fuelUnit('imperial', 'liquid')).toBe('gal');
    expect(fuelUnit('uk', 'liquid')).toBe('L');
    expect(fuelUnit('metric_kml', 'electric')).toBe('kWh');
  });

  it('knows which figures improve downwards', () => {
    expect(lowerIsBetter('metric')).toBe(true);
    expect(lowerIsBetter('uk')).toBe(false);
  });

  it('maps to the two maintenance unit systems', () => {
    expect(maintenanceUnits('uk')).toBe('imperial');
    expect(maintenanceUnits('metric_kml')).toBe('metric');
  });

  it('accepts only known systems from storage', () => {
    expect(isUnitSystem('metric')).toBe(true);
    expect(isUnitSystem('furlongs')).toBe(false);
    expect(isUnitSystem(null)).toBe(false);
  });
});

describe('conversions for display', () => {
  it('shows a per-gallon price per litre where litres are bought', () => {
    expect(pricePerUnit(3.785411784, 'metric', 'gasoline')).toBeCloseTo(1, 9);
    expect(pricePerUnit(3.5, 'imperial', 'gasoline')).toBe(3.5);
    expect(pricePerUnit(0.3, 'metric', 'electric')).toBe(0.3);
  });

  it('shows station distances in km or miles', () => {
    expect(formatMetres(1609.344, 'imperial')).toBe('1 mi');
    expect(formatMetres(2500, 'metric')).toBe('2.5 km');
    expect(formatMetres(25_000, 'metric')).toBe('25 km');
    expect(formatMetres(40, 'imperial')).toBe('under 0.1 mi');
  });

  it('formats missing numbers as a dash, money with two decimals', () => {
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber('33.333', 2)).toBe('33.33');
    expect(formatMoney('115.5')).toBe('115.50');
    expect(formatMoney(undefined)).toBe('–');
  });
});

describe('odometers kept in miles', () => {
  it('round-trips through km', async () => {
    const { milesToDistance, distanceToMiles } = await import('./units');
    expect(milesToDistance(100, 'metric')).toBeCloseTo(160.9344, 6);
    expect(distanceToMiles(milesToDistance(1234, 'metric_kml'), 'metric_kml')).toBeCloseTo(1234, 9);
    expect(milesToDistance(100, 'uk')).toBe(100);
  });
});
