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

  const label = `Photo of ${vehicle.nickname || [vehicle.year, vehicle.make, vehicle.model].filter(Boolean).join(' ') || 'the vehicle'}`;
  if (!vehicle.imageUrl || failed || !source) {
    return (
      <div className="vehicle-image vehicle-image--empty" role="img"
        aria-label={vehicle.imageUrl && !failed ? 'Loading photo' : 'No photo'}>
        <svg viewBox="0 0 64 40" aria-hidden="true" focusable="false">
          <path d="M8 28l5-12c1-3 3-4 6-4h26c3 0 5 1 6 4l5 12v8H8z" fill="currentColor" />
        </svg>
      </div>
    );
  }
  return <img className="vehicle-image" src={source} alt={label} />;
}
