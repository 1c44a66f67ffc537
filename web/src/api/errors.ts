// API errors as the person reads them, where they happened. The edge and the services answer
// {"statusCode", "error", "message", "requestId", "details": [{"field", "message", ...}]}.
// Pure: the client builds an ApiError, forms and pages call describeError().

export interface ErrorDetail {
  field?: string;
  message?: string;
  type?: string;
  row?: number;
  [key: string]: unknown;
}

export interface ErrorBody {
  statusCode?: number;
  error?: string;
  message?: string;
  requestId?: string;
  details?: ErrorDetail[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody | null;
  /** Seconds to wait, from Retry-After (seconds or an HTTP date) or RateLimit-Reset. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, body: ErrorBody | null, retryAfterSeconds: number | null = null) {
    super(body?.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The network did not answer at all: offline, DNS, the edge is down. */
export class NetworkError extends Error {
  constructor(message = 'No connection') {
    super(message);
    this.name = 'NetworkError';
  }
}

/** A change attempted while offline: the app is read-only then. */
export class OfflineError extends Error {
  constructor() {
    super('You are offline: changes are not possible until the connection is back.');
    this.name = 'OfflineError';
  }
}

export type ErrorAction = 'sign-in' | 'retry' | 'wait' | 'fix' | 'none';

export interface DescribedError {
  /** One sentence for the top of the form or section. */
  summary: string;
  /** Field name (the API's camelCase) -> message, shown next to that field. */
  fields: Record<string, string>;
  /** Problems that name no field of the form (CSV rows, model-level rules). */
  others: string[];
  action: ErrorAction;
  retryAfterSeconds: number | null;
}

export function parseRetryAfter(value: string | null, now: Date = new Date()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const when = Date.parse(trimmed);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - now.getTime()) / 1000));
}

/** Seconds to wait: Retry-After (the edge sends it with every 429), else X-RateLimit-Reset (epoch seconds). */
export function retryAfterFrom(headers: Headers, now: Date = new Date()): number | null {
  const retryAfter = parseRetryAfter(headers.get('Retry-After'), now);
  if (retryAfter !== null) return retryAfter;
  const reset = Number(headers.get('X-RateLimit-Reset'));
  if (!headers.get('X-RateLimit-Reset') || !Number.isFinite(reset)) return null;
  return Math.max(0, Math.ceil(reset - now.getTime() / 1000));
}

function withoutFinalStop(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function splitDetails(details: ErrorDetail[] | undefined, knownFields?: readonly string[]) {
  const fields: Record<string, string> = {};
  const others: string[] = [];
  for (const detail of details ?? []) {
    const message = detail.message ?? 'Invalid value';
    const field = detail.field;
    if (detail.row !== undefined) {
      others.push(`Row ${detail.row}${field ? `, ${field}` : ''}: ${message}`);
    } else if (field && (!knownFields || knownFields.includes(field))) {
      fields[field] = fields[field] ? `${fields[field]}; ${message}` : message;
    } else {
      others.push(field ? `${field}: ${message}` : message);
    }
  }
  return { fields, others };
}

/**
 * What to show for an error. `knownFields` are the fields the form displays: details naming any
 * other field are listed in `others`, so no message is lost.
 */
export function describeError(error: unknown, knownFields?: readonly string[]): DescribedError {
  const base = { fields: {}, others: [], retryAfterSeconds: null };
  if (error instanceof OfflineError) return { ...base, summary: error.message, action: 'none' };
  if (error instanceof NetworkError) {
    return { ...base, summary: 'No connection to MotoVault. Check your connection and try again.', action: 'retry' };
  }
  if (!(error instanceof ApiError)) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, summary: `Something went wrong: ${message}`, action: 'none' };
  }
  const message = error.body?.message;
  const reference = error.body?.requestId ? ` (reference ${error.body.requestId})` : '';
  switch (error.status) {
    case 400:
    case 422: {
      const { fields, others } = splitDetails(error.body?.details, knownFields);
      const summary = Object.keys(fields).length || others.length
        ? `${message ?? 'Invalid input'}: check the highlighted fields.`
        : message ?? 'Invalid input.';
      return { ...base, fields, others, summary, action: 'fix' };
    }
    case 401:
      return { ...base, summary: 'Your session has expired. Sign in again; what you typed is kept.', action: 'sign-in' };
    case 403:
      return { ...base, summary: message ?? 'You are not allowed to do this.', action: 'none' };
    case 404:
      return { ...base, summary: message ?? 'Not found: it may have been deleted.', action: 'none' };
    case 409:
      return { ...base, summary: message ?? 'This conflicts with something you already have.', action: 'fix' };
    case 413:
      return { ...base, summary: 'The file or request is too large.', action: 'fix' };
    case 415:
      return { ...base, summary: message ?? 'This kind of file is not accepted.', action: 'fix' };
    case 429: {
      const seconds = error.retryAfterSeconds;
      const when = seconds !== null ? ` Try again in ${waitText(seconds)}.` : ' Try again in a moment.';
      return { ...base, summary: `Too many requests.${when}`, action: 'wait', retryAfterSeconds: seconds };
    }
    case 502:
    case 503:
    case 504:
      return {
        ...base,
        summary: `${withoutFinalStop(message ?? 'The service is unavailable')}. Try again in a moment.`,
        action: 'retry',
        retryAfterSeconds: error.retryAfterSeconds,
      };
    default:
      return { ...base, summary: `Something went wrong on our side${reference}. Try again later.`, action: 'retry' };
  }
}

/** A 409 that only asks the person to confirm an odometer reading (it contradicts another fill-up
 * or record, or implies too many miles a day): the form may send it again with confirmOdometer. */
export function needsOdometerConfirmation(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.status !== 409) return false;
  const detail = error.body?.details?.[0];
  return detail?.field === 'odometerReading' && (detail.conflictingFillUp !== undefined
    || detail.conflictingRecord !== undefined);
}
