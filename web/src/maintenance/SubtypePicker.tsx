// The items of a service (oil, filters…), from the API's list for the chosen category.

import { useApiData } from '../api/useApiData';

export const CATEGORIES = [
  { value: 'routine_maintenance', label: 'Routine maintenance' },
  { value: 'repair', label: 'Repair' },
  { value: 'performance_upgrade', label: 'Performance upgrade' },
];

export function SubtypePicker({ idPrefix, category, chosen, onChange, error }: {
  idPrefix: string; category: string; chosen: string[]; onChange: (subtypes: string[]) => void; error?: string;
}) {
  const subtypes = useApiData<{ subtypes: string[] }>(category ? `/api/maintenance/subtypes/${category}` : null);
  const toggle = (name: string, on: boolean) =>
    onChange(on ? [...chosen, name] : chosen.filter((item) => item !== name));
  return (
    <fieldset className={`subtypes${error ? ' field--invalid' : ''}`}
      aria-describedby={error ? `${idPrefix}-subtypes-error` : undefined}>
      <legend>Items</legend>
      {subtypes.loading && !subtypes.data && <p>Loading…</p>}
      <div className="subtypes__grid">
        {subtypes.data?.subtypes.map((name) => {
          const id = `${idPrefix}-${name.replace(/\W+/g, '-')}`;
          return (
            <div key={name} className="field--checkbox">
              <input id={id} type="checkbox" checked={chosen.includes(name)} onChange={(event) => toggle(name, event.target.checked)} />
              <label htmlFor={id}>{name}</label>
            </div>
          );
        })}
      </div>
      {error && <p className="field__error" id={`${idPrefix}-subtypes-error`}>{error}</p>}
    </fieldset>
  );
}
