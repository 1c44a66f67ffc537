// The chart series of a vehicle's fill-ups, pure so they can be checked without a browser.

import type { FuelLog, MonthlyFigures } from '../api/types';

/** Economy of each fill-up that closes an interval (full, not after a missed fill), oldest first. */
export function economySeries(logs: FuelLog[]): { labels: string[]; values: number[] } {
  const closing = logs
    .filter((log) => log.efficiency !== null && log.efficiency !== undefined)
    .sort((a, b) => a.dateTime.localeCompare(b.dateTime));
  return {
    labels: closing.map((log) => log.dateTime.slice(0, 10)),
    values: closing.map((log) => Number(log.efficiency)),
  };
}

/** Money spent on fuel per calendar month. */
export function monthlyCostSeries(monthly: MonthlyFigures[]): { labels: string[]; values: number[] } {
  return {
    labels: monthly.map((month) => month.month),
    values: monthly.map((month) => Number(month.cost ?? 0)),
  };
}
