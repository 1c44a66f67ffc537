// Every call to the edge: the bearer token, JSON in and out, errors as ApiError with the API's
// details, Retry-After read, 401 ending the session. Changes are refused while offline.

import { expireSession, loadSession } from '../auth/session';
import { ApiError, NetworkError, OfflineError, retryAfterFrom, type ErrorBody } from './errors';
import { markReachable, markUnreachable } from './connectivity';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function authHeaders(): Record<string, string> {
  const session = loadSession();
  return session ? { Authorization: `Bearer ${session.token}` } : {};
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: ErrorBody | null = null;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = { message: response.statusText || `HTTP ${response.status}` };
  }
  return new ApiError(response.status, body, retryAfterFrom(response.headers));
}

/** The raw response of a successful call (blobs, streams); errors thrown as ApiError. */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const method = options.method ?? 'GET';
  if (method !== 'GET' && !navigator.onLine) throw new OfflineError();
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders(), ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    markUnreachable();
    throw new NetworkError();
  }
  markReachable();
  if (!response.ok) {
    const error = await errorFrom(response);
    if (error.status === 401 && headers.Authorization) expireSession();
    throw error;
  }
  return response;
}

/** Saves what `path` answers as a file named `fileName` (an export the browser downloads). */
export async function download(path: string, fileName: string, accept: string): Promise<void> {
  const response = await send(path, { headers: { Accept: accept } });
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A JSON call; 204 answers undefined. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Uploads a file with a presigned POST form from the API (S3: fields first, the file last). */
export async function uploadToStorage(
  upload: { url: string; fields: Record<string, string>; maxBytes: number }, file: File,
): Promise<void> {
  if (file.size > upload.maxBytes) {
    throw new ApiError(413, { message: `The file is larger than ${Math.round(upload.maxBytes / 1024 / 1024)} MB` });
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file);
  let response: Response;
  try {
    response = await fetch(upload.url, { method: 'POST', body: form });
  } catch {
    throw new NetworkError('The file storage did not answer');
  }
  if (!response.ok) {
    throw new ApiError(response.status, { message: `The file storage refused the upload (HTTP ${response.status})` });
  }
}
