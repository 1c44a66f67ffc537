// A vehicle's image. Its API URL needs the bearer token, which an <img> cannot send: the image is
// fetched (the edge redirects to a short-lived storage URL) and shown from a blob URL.

import { useEffect, useState } from 'react';
import { send } from '../api/client';
import type { Vehicle } from '../api/types';

export function VehicleImage({ vehicle, version = 0 }: { vehicle: Vehicle; version?: number }) {
  const [source, setSource] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!vehicle.imageUrl) return;
    let objectUrl: string | null = null;
    let cancelled = false;
    setFailed(false);
    send(vehicle.imageUrl, { headers: { Accept: 'image/*' } })
      .then((response) => response.blob())
      .then((blob) => {
        if (cancelled) return;
        objectUrl = URL.createObjectURL(blob);
        setSource(objectUrl);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [vehicle.imageUrl, version]);

  // Offline, or storage down: say so rather than pretend there is no photo.
  const unavailable = 'The photo cannot be loaded right now';
  const label = `Photo of ${vehicle.nickname || [vehicle.year, vehicle.make, vehicle.model].filter(Boolean).join(' ') || 'the vehicle'}`;
  if (!vehicle.imageUrl || failed || !source) {
    return (
      <div className="vehicle-image vehicle-image--empty" role="img" title={failed ? unavailable : undefined}
        aria-label={failed ? unavailable : vehicle.imageUrl ? 'Loading photo' : 'No photo'}>
        <svg viewBox="96 160 320 240" aria-hidden="true" focusable="false">
          <path fill="currentColor" d="M112 300l36-92c8-20 24-32 46-32h124c22 0 38 12 46 32l36 92v76c0 9-7 16-16 16h-28c-9 0-16-7-16-16v-20H172v20c0 9-7 16-16 16h-28c-9 0-16-7-16-16z" />
          <path fill="#e2e8f0" d="M166 288l24-64c3-8 9-12 17-12h98c8 0 14 4 17 12l24 64z" />
          <circle cx="168" cy="322" r="22" fill="#e2e8f0" />
          <circle cx="344" cy="322" r="22" fill="#e2e8f0" />
        </svg>
      </div>
    );
  }
  return <img className="vehicle-image" src={source} alt={label} />;
}
