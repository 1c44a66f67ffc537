// Sending a form: busy while the request runs, and the API's error kept for the form to show next
// to its fields (fieldErrors) or above them (ErrorNotice).

import { useState } from 'react';

export function useSubmission() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  /** A new attempt: the last answer's error no longer applies. */
  const reset = () => setError(null);

  async function send(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return { error, busy, reset, send };
}
