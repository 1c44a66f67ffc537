// Checks a form can make before sending, mirroring the API's rules so most mistakes are shown
// next to the field at once. The API stays the judge: its field details are shown the same way.

export type Errors = Record<string, string>;

const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{17}$/;
export const FIRST_MODEL_YEAR = 1886;

export function normaliseVin(vin: string): string {
  return vin.replace(/[\s-]/g, '').toUpperCase();
}

export function vinProblem(vin: string): string | null {
  const normalised = normaliseVin(vin);
  if (!normalised) return null;
  if (normalised.length !== 17) return `A VIN has 17 characters (this one has ${normalised.length})`;
  if (!VIN_PATTERN.test(normalised)) return 'A VIN uses digits and letters except I, O and Q';
  return null;
}

function isBlank(value: string | undefined | null): boolean {
  return value === undefined || value === null || value.trim() === '';
}

function numberProblem(value: string, { min, max, integer, above }: {
  min?: number; max?: number; integer?: boolean; above?: number;
}): string | null {
  const number = Number(value.replace(',', '.'));
  if (!Number.isFinite(number)) return 'Enter a number';
  if (integer && !Number.isInteger(number)) return 'Enter a whole number';
  if (above !== undefined && number <= above) return `Must be more than ${above}`;
  if (min !== undefined && number < min) return `Must be at least ${min}`;
  if (max !== undefined && number > max) return `Must be at most ${max}`;
  return null;
}

function check(errors: Errors, field: string, problem: string | null): void {
  if (problem) errors[field] = problem;
}

export interface VehicleValues {
  vin: string; year: string; make: string; model: string; nickname: string; licensePlate: string;
  odometerReading: string; [field: string]: string;
}

export function validateVehicle(values: VehicleValues, today: Date = new Date()): Errors {
  const errors: Errors = {};
  check(errors, 'vin', vinProblem(values.vin));
  if (isBlank(values.vin) && isBlank(values.licensePlate)) {
    errors.vin = 'Enter a VIN or a licence plate';
    errors.licensePlate = 'Enter a licence plate or a VIN';
  }
  if (!isBlank(values.year)) {
    check(errors, 'year', numberProblem(values.year, { integer: true, min: FIRST_MODEL_YEAR, max: today.getFullYear() + 2 }));
  }
  if (!isBlank(values.odometerReading)) {
    check(errors, 'odometerReading', numberProblem(values.odometerReading, { integer: true, min: 0, max: 9_999_999 }));
  }
  return errors;
}

export interface FillUpValues {
  dateTime: string; odometerReading: string; tripDistance: string; fuelUnits: string; costPerUnit: string;
  [field: string]: string;
}

export function validateFillUp(values: FillUpValues): Errors {
  const errors: Errors = {};
  if (isBlank(values.dateTime) || Number.isNaN(Date.parse(values.dateTime))) errors.dateTime = 'Enter the date and time';
  if (isBlank(values.odometerReading) && isBlank(values.tripDistance)) {
    errors.odometerReading = 'Enter the odometer or the trip distance';
  }
  if (!isBlank(values.odometerReading)) {
    check(errors, 'odometerReading', numberProblem(values.odometerReading, { min: 0, max: 99_999_999 }));
  }
  if (!isBlank(values.tripDistance)) {
    check(errors, 'tripDistance', numberProblem(values.tripDistance, { above: 0, max: 999_999 }));
  }
  if (isBlank(values.fuelUnits)) errors.fuelUnits = 'Enter how much you filled';
  else check(errors, 'fuelUnits', numberProblem(values.fuelUnits, { above: 0, max: 99_999 }));
  if (isBlank(values.costPerUnit)) errors.costPerUnit = 'Enter the price per unit';
  else check(errors, 'costPerUnit', numberProblem(values.costPerUnit, { min: 0, max: 9_999 }));
  return errors;
}

export interface ServiceValues {
  category: string; subtypes: string[]; [field: string]: string | string[];
}

export function validateRecord(values: ServiceValues & { date: string; odometerReading: string; cost: string }): Errors {
  const errors: Errors = {};
  if (isBlank(values.category)) errors.category = 'Choose a category';
  if (values.subtypes.length === 0) errors.subtypes = 'Choose at least one item';
  if (isBlank(values.date)) errors.date = 'Enter the date';
  if (!isBlank(values.odometerReading)) check(errors, 'odometerReading', numberProblem(values.odometerReading, { min: 0 }));
  if (!isBlank(values.cost)) check(errors, 'cost', numberProblem(values.cost, { min: 0 }));
  return errors;
}

export function validateSchedule(values: ServiceValues & {
  intervalMonths: string; intervalDistance: string; lastServiceOdometer: string;
}): Errors {
  const errors: Errors = {};
  if (isBlank(values.category)) errors.category = 'Choose a category';
  if (values.subtypes.length === 0) errors.subtypes = 'Choose at least one item';
  if (isBlank(values.intervalMonths) && isBlank(values.intervalDistance)) {
    errors.intervalMonths = 'Enter a number of months, a distance or both';
  }
  if (!isBlank(values.intervalMonths)) {
    check(errors, 'intervalMonths', numberProblem(values.intervalMonths, { integer: true, above: 0, max: 1200 }));
  }
  if (!isBlank(values.intervalDistance)) check(errors, 'intervalDistance', numberProblem(values.intervalDistance, { above: 0 }));
  if (!isBlank(values.lastServiceOdometer)) {
    check(errors, 'lastServiceOdometer', numberProblem(values.lastServiceOdometer, { min: 0 }));
  }
  return errors;
}

/** "51.5, -0.12" typed as a place: latitude and longitude, or null when it is not that. */
export function parseCoordinates(text: string): { latitude: number; longitude: number } | null {
  const match = text.trim().match(/^(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)$/);
  if (!match) return null;
  const latitude = Number(match[1]);
  const longitude = Number(match[2]);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude, longitude };
}

/** A form's text as the API's number: "12,5" is 12.5; blank is left out (null). */
export function numberOrNull(value: string): number | null {
  if (isBlank(value)) return null;
  const number = Number(value.replace(',', '.'));
  return Number.isFinite(number) ? number : null;
}

export function textOrNull(value: string): string | null {
  return isBlank(value) ? null : value.trim();
}
