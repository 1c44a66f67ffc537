import { describe, expect, it } from 'vitest';
import {
  ApiError, NetworkError, OfflineError, describeError, needsOdometerConfirmation, parseRetryAfter, retryAfterFrom, waitText,
  type ErrorDetail,
} from './errors';

const invalid = (details: ErrorDetail[]) =>
  new ApiError(400, { statusCode: 400, error: 'Bad Request', message: 'Invalid input', requestId: 'r1', details });

describe('describeError', () => {
  it('puts field details next to the fields the form shows', () => {
    const described = describeError(invalid([
      { field: 'vin', message: 'VIN must be 17 characters', type: 'value_error' },
      { field: 'year', message: 'year must be between 1886 and 2028', type: 'value_error' },
    ]), ['vin', 'year']);
    expect(described.fields).toEqual({ vin: 'VIN must be 17 characters', year: 'year must be between 1886 and 2028' });
    expect(described.others).toEqual([]);
    expect(described.action).toBe('fix');
    expect(described.summary).toContain('check the highlighted fields');
  });

  it('keeps details of fields the form does not show, and CSV rows, as other problems', () => {
    const described = describeError(invalid([
      { field: 'licensePlate', message: 'too long' },
      { row: 3, field: 'date', message: 'not a date', type: 'csv' },
    ]), ['vin']);
    expect(described.fields).toEqual({});
    expect(described.others).toEqual(['licensePlate: too long', 'Row 3, date: not a date']);
  });

  it('joins two messages about one field', () => {
    const described = describeError(invalid([
      { field: 'odometerReading', message: 'a' }, { field: 'odometerReading', message: 'b' },
    ]));
    expect(described.fields.odometerReading).toBe('a; b');
  });

  it('sends a 401 back to sign-in', () => {
    const described = describeError(new ApiError(401, { message: 'Token expired' }));
    expect(described.action).toBe('sign-in');
    expect(described.summary).toMatch(/sign in again/i);
  });

  it('says when to retry after a 429', () => {
    const described = describeError(new ApiError(429, { message: 'Too many requests' }, 42));
    expect(described.action).toBe('wait');
    expect(described.retryAfterSeconds).toBe(42);
    expect(described.summary).toBe('Too many requests. Try again in 42 seconds.');
  });

  it('says "try again" on a 503 and keeps the service message', () => {
    const described = describeError(new ApiError(503, { message: 'AI generation is not configured' }));
    expect(described.action).toBe('retry');
    expect(described.summary).toBe('AI generation is not configured. Try again in a moment.');
  });

  it('gives the request id of an unexpected error', () => {
    const described = describeError(new ApiError(500, { message: 'Internal server error', requestId: 'abc' }));
    expect(described.summary).toContain('reference abc');
  });

  it('tells network failures and offline changes apart', () => {
    expect(describeError(new NetworkError()).action).toBe('retry');
    expect(describeError(new OfflineError()).summary).toMatch(/offline/);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('30')).toBe(30);
    const now = new Date('2026-12-03T12:00:00Z');
    expect(parseRetryAfter('Thu, 03 Dec 2026 12:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('falls back to the reset time of the rate limit, in epoch seconds', () => {
    const now = new Date('2026-12-03T12:00:00Z');
    const reset = String(now.getTime() / 1000 + 45);
    expect(retryAfterFrom(new Headers({ 'Retry-After': '7', 'X-RateLimit-Reset': reset }), now)).toBe(7);
    expect(retryAfterFrom(new Headers({ 'X-RateLimit-Reset': reset }), now)).toBe(45);
    expect(retryAfterFrom(new Headers(), now)).toBeNull();
  });

  it('says the wait in words', () => {
    expect(waitText(1)).toBe('1 second');
    expect(waitText(90)).toBe('2 minutes');
  });
});

describe('needsOdometerConfirmation', () => {
  const conflict = (detail: Record<string, unknown>) => new ApiError(409, {
    statusCode: 409, error: 'Conflict', message: 'The odometer reading is lower than 12,000 mi of the fill-up of 2026-05-01',
    details: [{ field: 'odometerReading', message: 'lower', ...detail }],
  });

  it('asks for confirmation when the reading contradicts a fill-up or a record', () => {
    expect(needsOdometerConfirmation(conflict({ conflictingFillUp: { id: 'f1', odometerReading: 12000 } }))).toBe(true);
    expect(needsOdometerConfirmation(conflict({ conflictingRecord: { id: 'r1', odometerReading: 12000 } }))).toBe(true);
  });

  it('not for other conflicts, other statuses or other errors', () => {
    expect(needsOdometerConfirmation(conflict({}))).toBe(false);
    expect(needsOdometerConfirmation(new ApiError(409, { message: 'Duplicate VIN' }))).toBe(false);
    expect(needsOdometerConfirmation(new ApiError(400, { details: [{ field: 'odometerReading', conflictingFillUp: {} }] })))
      .toBe(false);
    expect(needsOdometerConfirmation(new NetworkError())).toBe(false);
  });
});
