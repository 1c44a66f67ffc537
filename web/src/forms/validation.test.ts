import { describe, expect, it } from 'vitest';
import {
  numberOrNull, parseCoordinates, validateFillUp, validateRecord, validateSchedule, validateVehicle, vinProblem,
} from './validation';

const vehicle = { vin: '', year: '', make: '', model: '', nickname: '', licensePlate: '', odometerReading: '' };
const fillUp = { dateTime: '2026-04-01T08:00', odometerReading: '1000', tripDistance: '', fuelUnits: '10', costPerUnit: '3.5' };

describe('vehicle form', () => {
  it('needs a VIN or a plate', () => {
    const errors = validateVehicle(vehicle);
    expect(errors.vin).toMatch(/VIN or a licence plate/);
    expect(errors.licensePlate).toBeDefined();
    expect(validateVehicle({ ...vehicle, licensePlate: 'AB12 CDE' })).toEqual({});
  });

  it('checks the VIN shape the way the API does', () => {
    expect(vinProblem('3VV3B7AXXNM07752')).toMatch(/17 characters/);
    expect(vinProblem('3VV3B7AXXNM07752O')).toMatch(/except I, O and Q/);
    expect(vinProblem('3vv3b7axxnm077525')).toBeNull();
  });

  it('checks the year range against today', () => {
    const today = new Date('2026-06-01');
    expect(validateVehicle({ ...vehicle, licensePlate: 'X', year: '1800' }, today).year).toMatch(/at least 1886/);
    expect(validateVehicle({ ...vehicle, licensePlate: 'X', year: '2029' }, today).year).toMatch(/at most 2028/);
    expect(validateVehicle({ ...vehicle, licensePlate: 'X', year: '2028' }, today)).toEqual({});
  });
});

describe('fill-up form', () => {
  it('accepts a complete fill-up, decimal commas included', () => {
    expect(validateFillUp(fillUp)).toEqual({});
    expect(validateFillUp({ ...fillUp, fuelUnits: '10,5' })).toEqual({});
  });

  it('needs the odometer or a trip distance, an amount and a price', () => {
    const errors = validateFillUp({ ...fillUp, odometerReading: '', fuelUnits: '', costPerUnit: '' });
    expect(Object.keys(errors).sort()).toEqual(['costPerUnit', 'fuelUnits', 'odometerReading']);
    expect(validateFillUp({ ...fillUp, odometerReading: '', tripDistance: '300' })).toEqual({});
  });

  it('refuses a zero amount and a negative price', () => {
    expect(validateFillUp({ ...fillUp, fuelUnits: '0' }).fuelUnits).toMatch(/more than 0/);
    expect(validateFillUp({ ...fillUp, costPerUnit: '-1' }).costPerUnit).toMatch(/at least 0/);
  });
});

describe('maintenance forms', () => {
  it('needs an interval for a schedule', () => {
    const values = { category: 'routine_maintenance', subtypes: ['Engine Oil'], intervalMonths: '', intervalDistance: '', lastServiceOdometer: '' };
    expect(validateSchedule(values).intervalMonths).toMatch(/months, a distance or both/);
    expect(validateSchedule({ ...values, intervalDistance: '5000' })).toEqual({});
  });

  it('needs at least one item for a record', () => {
    const errors = validateRecord({ category: 'repair', subtypes: [], date: '2026-01-01', odometerReading: '', cost: 'x' });
    expect(errors.subtypes).toBeDefined();
    expect(errors.cost).toBe('Enter a number');
  });
});

describe('small parsers', () => {
  it('reads typed coordinates', () => {
    expect(parseCoordinates('51.5076, -0.1232')).toEqual({ latitude: 51.5076, longitude: -0.1232 });
    expect(parseCoordinates('London')).toBeNull();
    expect(parseCoordinates('95, 0')).toBeNull();
  });

  it('reads numbers as the API wants them', () => {
    expect(numberOrNull('')).toBeNull();
    expect(numberOrNull('3,5')).toBe(3.5);
  });
});
