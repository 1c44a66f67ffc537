// Stations near the device (browser geolocation) or near a typed place (a name or address the
// stations service looks up, or coordinates): distance and the prices seen in fill-ups there;
// save and remove favourites.

import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useOffline } from '../api/connectivity';
import type { Place, Station, StationSearch } from '../api/types';
import { useApiData } from '../api/useApiData';
import { ErrorNotice } from '../components/ErrorNotice';
import { SelectField, TextField } from '../components/fields';
import { usePageTitle } from '../components/usePageTitle';
import { parseCoordinates } from '../forms/validation';
import { formatMetres, formatNumber, pricePerUnit, priceUnit, type UnitSystem } from '../units/units';
import { useUnits } from '../units/useUnits';

const RADII = [
  { value: '2000', label: '2 km (1.2 mi)' }, { value: '5000', label: '5 km (3 mi)' },
  { value: '10000', label: '10 km (6 mi)' }, { value: '25000', label: '25 km (15 mi)' },
];
const FUEL_TYPES = [{ value: '', label: 'Any' }, { value: 'gasoline', label: 'Gasoline' },
  { value: 'diesel', label: 'Diesel' }, { value: 'electric', label: 'EV charging' }];

function currentPosition(): Promise<{ latitude: number; longitude: number }> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error('This browser cannot tell its location: type a place instead'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ latitude: position.coords.latitude, longitude: position.coords.longitude }),
      (problem) => reject(new Error(problem.code === problem.PERMISSION_DENIED
        ? 'Location permission was refused: type a place instead'
        : 'The location is not available right now: type a place instead')),
      { enableHighAccuracy: false, timeout: 10_000, maximumAge: 60_000 },
    );
  });
}

export function StationsPage() {
  usePageTitle('Stations');
  const system = useUnits();
  const offline = useOffline();
  const saved = useApiData<Station[]>('/api/stations/saved');
  const [place, setPlace] = useState('');
  const [placeError, setPlaceError] = useState<string | undefined>();
  const [radius, setRadius] = useState('5000');
  const [fuelType, setFuelType] = useState('');
  const [results, setResults] = useState<StationSearch | null>(null);
  const [matches, setMatches] = useState<Place[]>([]);
  const [near, setNear] = useState<Place | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function search(point: { latitude: number; longitude: number }) {
    setError(null);
    setBusy(true);
    try {
      setResults(await api<StationSearch>('/api/stations/search', {
        method: 'POST',
        json: { ...point, radius: Number(radius), ...(fuelType ? { fuelType } : {}) },
      }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  async function searchHere() {
    setPlaceError(undefined);
    setNear(null);
    setMatches([]);
    try {
      await search(await currentPosition());
    } catch (caught) {
      setError(caught);
    }
  }

  async function searchPlace(event: FormEvent) {
    event.preventDefault();
    setPlaceError(undefined);
    setNear(null);
    setMatches([]);
    const point = parseCoordinates(place);
    if (point) {
      await search(point);
      return;
    }
    if (place.trim().length < 2) {
      setPlaceError('Type a town, an address or a postcode (or latitude, longitude)');
      return;
    }
    let found: Place[];
    try {
      found = await api<Place[]>(`/api/stations/places?query=${encodeURIComponent(place.trim())}`);
    } catch (caught) {
      setError(caught);
      return;
    }
    if (found.length === 0) {
      setPlaceError(`No place found for “${place.trim()}”: try adding the town or country`);
      return;
    }
    setMatches(found);
    await searchNear(found[0]);
  }

  async function searchNear(chosen: Place) {
    setNear(chosen);
    await search({ latitude: chosen.latitude, longitude: chosen.longitude });
  }

  async function save(station: Station) {
    setError(null);
    try {
      await api('/api/stations/save', { method: 'POST', json: { placeId: station.placeId } });
      await saved.reload();
    } catch (caught) {
      setError(caught);
    }
  }

  async function unsave(station: Station) {
    setError(null);
    try {
      await api(`/api/stations/saved/${encodeURIComponent(station.placeId)}`, { method: 'DELETE' });
      await saved.reload();
    } catch (caught) {
      setError(caught);
    }
  }

  const savedIds = new Set(saved.data?.map((station) => station.placeId));
  return (
    <>
      <h1>Stations</h1>
      <section className="section" aria-labelledby="search-heading">
        <h2 id="search-heading">Find stations</h2>
        <div className="grid-2">
          <SelectField label="Within" value={radius} onValue={setRadius} options={RADII} />
          <SelectField label="Fuel" value={fuelType} onValue={setFuelType} options={FUEL_TYPES} />
        </div>
        <button type="button" className="button" onClick={() => void searchHere()} disabled={busy || offline}>
          Search near me
        </button>
        <form className="place-search" onSubmit={searchPlace} noValidate>
          <TextField label="Or near a place" value={place} onValue={setPlace} error={placeError}
            placeholder="Town, address, postcode or 51.5076, -0.1232" />
          <button type="submit" className="button button--secondary" disabled={busy || offline}>Search there</button>
        </form>
        {near && (
          <p aria-live="polite">Near {near.name ?? 'the place found'}{near.address ? ` (${near.address})` : ''}</p>
        )}
        {matches.length > 1 && (
          <SelectField label="Not that one? Other matches" value={near?.placeId ?? ''}
            onValue={(placeId) => {
              const chosen = matches.find((match) => match.placeId === placeId);
              if (chosen) void searchNear(chosen);
            }}
            options={matches.map((match) => ({ value: match.placeId,
              label: [match.name, match.address].filter(Boolean).join(' · ') }))} />
        )}
        <ErrorNotice error={error} />
        {busy && <p aria-live="polite">Searching…</p>}
      </section>
      {results && (
        <section className="section" aria-labelledby="results-heading">
          <h2 id="results-heading">Results</h2>
          {results.fallbackReason && (
            <p className="notice notice--warning">Live search is unavailable ({results.fallbackReason}): showing stations you have seen before.</p>
          )}
          {results.stations.length === 0 && <p className="muted">No stations found within this distance.</p>}
          <StationList stations={results.stations} system={system} savedIds={savedIds} onSave={save} onRemove={unsave} />
        </section>
      )}
      <section className="section" aria-labelledby="saved-heading">
        <h2 id="saved-heading">Saved stations</h2>
        <ErrorNotice error={saved.error} onRetry={saved.reload} />
        {saved.data?.length === 0 && <p className="muted">No saved stations yet.</p>}
        {saved.data && (
          <StationList stations={saved.data} system={system} savedIds={savedIds} onSave={save} onRemove={unsave} />
        )}
      </section>
    </>
  );
}

function StationList({ stations, system, savedIds, onSave, onRemove }: {
  stations: Station[]; system: UnitSystem; savedIds: Set<string>;
  onSave: (station: Station) => Promise<void>; onRemove: (station: Station) => Promise<void>;
}) {
  const offline = useOffline();
  return (
    <ul className="list">
      {stations.map((station) => (
        <li key={station.placeId} className="list__item station">
          <div>
            <p><strong>{station.nickname || station.name}</strong>
              {station.distance !== null && <> · {formatMetres(station.distance, system)}</>}</p>
            {station.address && <p className="muted">{station.address}</p>}
            {station.prices.length > 0 ? (
              <ul className="prices" aria-label={`Prices seen at ${station.name}`}>
                {station.prices.map((price) => (
                  <li key={`${price.fuelType}-${price.fuelGrade}`}>
                    {price.fuelType ?? 'Fuel'}{price.fuelGrade ? ` ${price.fuelGrade}` : ''}:{' '}
                    {formatNumber(pricePerUnit(Number(price.costPerUnit), system, price.fuelType), 3)} per {priceUnit(system, price.fuelType)}
                    <span className="muted"> (seen {new Date(price.seenAt).toLocaleDateString('en')})</span>
                  </li>
                ))}
              </ul>
            ) : <p className="muted">No prices seen yet.</p>}
          </div>
          <div className="list__actions">
            {savedIds.has(station.placeId) ? (
              <button type="button" className="button button--small button--secondary" disabled={offline}
                onClick={() => void onRemove(station)}>
                Remove<span className="visually-hidden"> {station.name} from saved</span>
              </button>
            ) : (
              <button type="button" className="button button--small" disabled={offline} onClick={() => void onSave(station)}>
                Save<span className="visually-hidden"> {station.name}</span>
              </button>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
