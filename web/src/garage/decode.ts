// What the form says after a VIN decode: where the values came from, and what to check.

import type { DecodedVin } from '../api/types';

export function decodeMessage(decoded: DecodedVin): { tone: 'success' | 'warning'; text: string; warnings: string[] } {
  // The "offline" warning is the message itself; the others (check digit, vPIC's notes) are listed.
  const warnings = decoded.warnings.filter((warning) => warning.code !== 'offline').map((warning) => warning.message);
  if (decoded.source === 'offline') {
    return {
      tone: 'warning',
      text: 'Decoded offline from the VIN itself (the NHTSA decoder is unavailable): only the year and the '
        + 'manufacturer are filled in. Check the rest.',
      warnings,
    };
  }
  const vehicle = [decoded.year, decoded.make, decoded.model].filter(Boolean).join(' ');
  return { tone: 'success', text: `Decoded with NHTSA vPIC: ${vehicle}. Check the filled-in fields.`, warnings };
}
