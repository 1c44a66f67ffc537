import { describe, expect, it } from 'vitest';
import { decodeMessage } from './decode';

describe('decodeMessage', () => {
  it('says when the VIN was decoded offline', () => {
    const message = decodeMessage({
      vin: '3VV3B7AXXNM077525', source: 'offline', year: 2022, manufacturer: 'Volkswagen',
      warnings: [{ code: 'offline', message: 'The NHTSA decoder is unavailable' }],
    });
    expect(message.tone).toBe('warning');
    expect(message.text).toMatch(/^Decoded offline from the VIN itself/);
    expect(message.warnings).toEqual([]);
  });

  it('names the vehicle vPIC decoded and lists its warnings', () => {
    const message = decodeMessage({
      vin: '3VV3B7AXXNM077525', source: 'vpic', year: 2022, make: 'VOLKSWAGEN', model: 'Tiguan',
      warnings: [{ code: '1', message: 'Check Digit (9th position) does not calculate properly' }],
    });
    expect(message).toEqual({
      tone: 'success',
      text: 'Decoded with NHTSA vPIC: 2022 VOLKSWAGEN Tiguan. Check the filled-in fields.',
      warnings: ['Check Digit (9th position) does not calculate properly'],
    });
  });
});
