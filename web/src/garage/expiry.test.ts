import { describe, expect, it } from 'vitest';
import { expiryStatus } from './expiry';

describe('expiryStatus', () => {
  const today = new Date(2026, 11, 3);
  it('says expired, expiring soon or valid', () => {
    expect(expiryStatus('2026-12-02', today)).toEqual({ text: 'Expired on Dec 2, 2026', tone: 'danger' });
    expect(expiryStatus('2026-12-04', today)?.text).toBe('Expires on Dec 4, 2026 (in 1 day)');
    expect(expiryStatus('2027-06-01', today)?.tone).toBe('ok');
    expect(expiryStatus(null, today)).toBeNull();
  });
});
