// How an upcoming service reads: the urgency in words (never colour alone) and what is due when.

import type { UpcomingItem, Urgency } from '../api/types';
import { formatNumber } from '../units/units';

export const URGENCY_TEXT: Record<Urgency, string> = {
  past_due: 'Overdue',
  very_urgent: 'Very urgent',
  urgent: 'Urgent',
  not_urgent: 'Not urgent',
};

export const URGENCY_TONE: Record<Urgency, 'danger' | 'warning' | 'caution' | 'ok'> = {
  past_due: 'danger',
  very_urgent: 'warning',
  urgent: 'caution',
  not_urgent: 'ok',
};

export function formatDate(iso: string | null): string | null {
  if (!iso) return null;
  return new Date(`${iso.slice(0, 10)}T00:00:00`).toLocaleDateString('en', { year: 'numeric', month: 'short', day: 'numeric' });
}

function days(count: number): string {
  return `${count} day${Math.abs(count) === 1 ? '' : 's'}`;
}

/** "Due in 12 days (Dec 15, 2026)", "Overdue by 3 days", for the date and the distance. */
export function dueText(item: UpcomingItem, distanceUnit: string): string[] {
  const parts: string[] = [];
  if (item.daysUntilDue !== null && item.nextDueDate) {
    const date = formatDate(item.nextDueDate);
    parts.push(item.daysUntilDue < 0
      ? `Overdue by ${days(-item.daysUntilDue)} (was due ${date})`
      : item.daysUntilDue === 0 ? `Due today (${date})` : `Due in ${days(item.daysUntilDue)} (${date})`);
  }
  if (item.distanceUntilDue !== null && item.nextDueOdometer !== null) {
    const remaining = Number(item.distanceUntilDue);
    const at = `${formatNumber(item.nextDueOdometer, 0)} ${distanceUnit}`;
    parts.push(remaining <= 0
      ? `Overdue by ${formatNumber(-remaining, 0)} ${distanceUnit} (was due at ${at})`
      : `Due in ${formatNumber(remaining, 0)} ${distanceUnit} (at ${at})`);
  }
  return parts;
}
