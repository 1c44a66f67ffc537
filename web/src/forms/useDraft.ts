// Form values kept in sessionStorage as they are typed: a session that expires mid-form sends the
// person to sign-in, and the form comes back as they left it. Cleared once the form is sent.

import { useCallback, useEffect, useState } from 'react';

const PREFIX = 'mv.draft.';

export function useDraft<T extends object>(key: string, initial: () => T): [T, (values: T) => void, () => void] {
  const storageKey = PREFIX + key;
  const [values, setValues] = useState<T>(() => {
    try {
      const saved = sessionStorage.getItem(storageKey);
      return saved ? { ...initial(), ...JSON.parse(saved) } : initial();
    } catch {
      return initial();
    }
  });

  useEffect(() => {
    try {
      sessionStorage.setItem(storageKey, JSON.stringify(values));
    } catch {
      // No storage: the form still works, only without the draft.
    }
  }, [storageKey, values]);

  const clear = useCallback(() => {
    sessionStorage.removeItem(storageKey);
    setValues(initial());
    // `initial` is left out on purpose: a fresh closure each render, while the key decides what is cleared.
  }, [storageKey]);

  return [values, setValues, clear];
}
