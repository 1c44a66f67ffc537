import { describe, expect, it } from 'vitest';
import type { FuelLog } from '../api/types';
import { economySeries, monthlyCostSeries } from './series';

const log = (dateTime: string, efficiency: string | null) => ({ dateTime, efficiency } as FuelLog);

describe('chart series', () => {
  it('plots only fill-ups with an economy figure, oldest first', () => {
    const series = economySeries([
      log('2026-05-10T08:00:00+00:00', '40.00'), log('2026-04-10T08:00:00+00:00', null),
      log('2026-04-20T08:00:00+00:00', '30.00'),
    ]);
    expect(series).toEqual({ labels: ['2026-04-20', '2026-05-10'], values: [30, 40] });
  });

  it('plots monthly cost, a month without cost as zero', () => {
    expect(monthlyCostSeries([
      { month: '2026-04', cost: '70.00', distance: null, fuelUnits: null, efficiency: null },
      { month: '2026-05', cost: null, distance: null, fuelUnits: null, efficiency: null },
    ])).toEqual({ labels: ['2026-04', '2026-05'], values: [70, 0] });
  });
});
