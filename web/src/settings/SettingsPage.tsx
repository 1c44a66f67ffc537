import { useAuth } from '../auth/AuthContext';
import { usePageTitle } from '../components/usePageTitle';
import { UNIT_SYSTEMS, isUnitSystem } from '../units/units';
import { setUnits, useUnits } from '../units/useUnits';
import { YourData } from './YourData';

export function SettingsPage() {
  usePageTitle('Settings');
  const { session, signOut } = useAuth();
  const system = useUnits();
  return (
    <>
      <h1>Settings</h1>
      <section className="section">
        <fieldset className="radio-group">
          <legend>Units</legend>
          <p className="muted" id="units-hint">Used for fill-ups, statistics, service distances and station prices. Electric
            vehicles are shown in kWh with the matching economy figure.</p>
          {UNIT_SYSTEMS.map((option) => (
            <div key={option.value} className="field--checkbox">
              <input type="radio" id={`units-${option.value}`} name="units" value={option.value}
                checked={system === option.value} aria-describedby="units-hint"
                onChange={(event) => isUnitSystem(event.target.value) && setUnits(event.target.value)} />
              <label htmlFor={`units-${option.value}`}>{option.label}</label>
            </div>
          ))}
        </fieldset>
      </section>
      <section className="section" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <p>Signed in as <strong>{session?.userId}</strong>.</p>
        <button type="button" className="button button--secondary" onClick={signOut}>Sign out</button>
      </section>
      <YourData system={system} />
    </>
  );
}
