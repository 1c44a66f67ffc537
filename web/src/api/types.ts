// Shapes of the API's answers the app reads (README API table; services/*/domain/views.py).

export interface Vehicle {
  id: string;
  vin: string | null;
  year: number | null;
  make: string | null;
  model: string | null;
  engine: string | null;
  transmission: string | null;
  trimLevel: string | null;
  driveType: string | null;
  fuelType: string | null;
  nickname: string | null;
  color: string | null;
  licensePlate: string | null;
  odometerReading: number;
  imageUrl: string | null;
  warnings?: { code: string; message: string }[];
}

export interface DecodedVin {
  vin: string;
  source: 'vpic' | 'offline';
  year?: number;
  make?: string;
  model?: string;
  trimLevel?: string;
  engine?: string;
  transmission?: string;
  driveType?: string;
  fuelType?: string;
  manufacturer?: string;
  warnings: { source?: string; code: string; message: string }[];
}

export interface PresignedUpload {
  url: string;
  method: 'POST';
  fields: Record<string, string>;
  maxBytes: number;
  contentType: string;
}

export interface VehicleDocument {
  id: string;
  documentType: 'insurance' | 'registration' | 'manual' | 'receipt' | 'other';
  title: string;
  expiryDate: string | null;
  contentType: string;
  fileName: string | null;
  createdAt: string;
  upload?: PresignedUpload;
  downloadUrl?: string;
}

export interface UnitLabels {
  distance: string;
  fuelUnits: string;
  efficiencyUnits: string;
  system: string;
}

export interface FuelLog {
  id: string;
  vehicleId: string;
  dateTime: string;
  odometerReading: string | null;
  tripDistance: string | null;
  fuelType: string;
  fuelGrade: string | null;
  fuelUnits: string;
  costPerUnit: string;
  totalCost: string;
  isFullFill: boolean;
  missedPrevious: boolean;
  notes: string | null;
  efficiency: string | null;
  efficiencyLabel: string;
  unitLabels: UnitLabels;
}

export interface MonthlyFigures {
  month: string;
  distance: string | null;
  fuelUnits: string | null;
  cost: string | null;
  efficiency: string | null;
}

export interface FuelStats {
  fuelKind: 'liquid' | 'electric';
  logCount: number;
  totalFuelUnits: string | number | null;
  totalCost: string | number | null;
  averageCostPerUnit: string | number | null;
  totalDistance: string | number | null;
  averageEfficiency: string | number | null;
  bestEfficiency: string | number | null;
  worstEfficiency: string | number | null;
  costPerDistance: string | number | null;
  monthly: MonthlyFigures[];
  unitLabels: UnitLabels;
}

export type Urgency = 'past_due' | 'very_urgent' | 'urgent' | 'not_urgent';

export interface Schedule {
  id: string;
  vehicleId: string;
  category: string;
  subtypes: string[];
  intervalMonths: number | null;
  intervalDistance: string | number | null;
  nextDueDate: string | null;
  nextDueOdometer: string | number | null;
  lastServiceDate: string | null;
  lastServiceOdometer: string | number | null;
  notes: string | null;
}

export interface UpcomingItem extends Schedule {
  urgency: Urgency;
  trigger: 'date' | 'odometer' | 'both' | null;
  daysUntilDue: number | null;
  distanceUntilDue: string | number | null;
  projectedDueDate: string | null;
}

export interface ServiceRecord {
  id: string;
  vehicleId: string;
  category: string;
  subtypes: string[];
  date: string;
  odometerReading: string | number | null;
  cost: string | number | null;
  shopName: string | null;
  notes: string | null;
}

export interface StationPrice {
  fuelType: string | null;
  fuelGrade: string | null;
  costPerUnit: string;
  unit: string;
  seenAt: string;
}

export interface Station {
  placeId: string;
  name: string;
  address: string | null;
  distance: number | null;
  rating: number | null;
  isOpen: boolean | null;
  prices: StationPrice[];
  nickname?: string | null;
}

/** A typed place found by GET /api/stations/places: where to search near. */
export interface Place {
  placeId: string;
  name: string | null;
  address: string | null;
  latitude: number;
  longitude: number;
}

export interface StationSearch {
  stations: Station[];
  source: string;
  fallbackReason: string | null;
}
