// An error where it happened: the summary, the problems no field shows, and what to do next.

import { describeError, type DescribedError } from '../api/errors';

export function ErrorNotice({ error, knownFields, onRetry }: {
  error: unknown; knownFields?: readonly string[]; onRetry?: () => void;
}) {
  if (!error) return null;
  const described: DescribedError = describeError(error, knownFields);
  return (
    <div className="notice notice--error" role="alert">
      <p>{described.summary}</p>
      {described.others.length > 0 && (
        <ul>{described.others.map((problem) => <li key={problem}>{problem}</li>)}</ul>
      )}
      {onRetry && (described.action === 'retry' || described.action === 'wait') && (
        <button type="button" className="button button--small" onClick={onRetry}>Try again</button>
      )}
    </div>
  );
}

/** Field messages from the client's checks, replaced by the API's details when it refuses. */
export function fieldErrors(local: Record<string, string>, error: unknown, knownFields: readonly string[]) {
  return { ...local, ...(error ? describeError(error, knownFields).fields : {}) };
}
