import { describe, expect, it } from 'vitest';
import type { UpcomingItem } from '../api/types';
import { dueText, URGENCY_TEXT } from './urgency';

const item = (changes: Partial<UpcomingItem>) => ({
  nextDueDate: '2026-12-15', nextDueOdometer: 6950, daysUntilDue: 12, distanceUntilDue: 5000, ...changes,
} as UpcomingItem);

describe('dueText', () => {
  it('says when and at what distance a service is due', () => {
    expect(dueText(item({}), 'mi')).toEqual(['Due in 12 days (Dec 15, 2026)', 'Due in 5,000 mi (at 6,950 mi)']);
  });

  it('says by how much a service is overdue', () => {
    expect(dueText(item({ daysUntilDue: -1, distanceUntilDue: -20 }), 'km')).toEqual([
      'Overdue by 1 day (was due Dec 15, 2026)', 'Overdue by 20 km (was due at 6,950 km)',
    ]);
  });

  it('leaves out a metric the schedule does not use', () => {
    expect(dueText(item({ nextDueOdometer: null, distanceUntilDue: null, daysUntilDue: 0 }), 'mi')).toEqual(['Due today (Dec 15, 2026)']);
  });

  it('names every urgency in words', () => {
    expect(Object.values(URGENCY_TEXT)).toEqual(['Overdue', 'Very urgent', 'Urgent', 'Not urgent']);
  });
});
