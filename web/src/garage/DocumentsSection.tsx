// A vehicle's documents (insurance, registration, manuals…): their expiry dates, opening one
// (a short-lived storage link), adding one (the file goes straight to storage) and deleting one.

import { useState, type FormEvent } from 'react';
import { api, uploadToStorage } from '../api/client';
import { useOffline } from '../api/connectivity';
import type { VehicleDocument } from '../api/types';
import { useApiData } from '../api/useApiData';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice, fieldErrors } from '../components/ErrorNotice';
import { SelectField, TextField } from '../components/fields';
import { useDraft } from '../forms/useDraft';
import { useSubmission } from '../forms/useSubmission';
import { expiryStatus } from './expiry';

const DOCUMENT_TYPES = [
  { value: 'insurance', label: 'Insurance' }, { value: 'registration', label: 'Registration' },
  { value: 'manual', label: 'Manual' }, { value: 'receipt', label: 'Receipt' }, { value: 'other', label: 'Other' },
];
const FILE_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/heic'];
const FIELDS = ['documentType', 'title', 'expiryDate', 'contentType', 'fileName'];

export function DocumentsSection({ vehicleId }: { vehicleId: string }) {
  const path = `/api/vehicles/${vehicleId}/documents`;
  const documents = useApiData<VehicleDocument[]>(path);
  const [actionError, setActionError] = useState<unknown>(null);

  async function open(document: VehicleDocument) {
    setActionError(null);
    try {
      const withLink = await api<VehicleDocument>(`${path}/${document.id}`);
      if (withLink.downloadUrl) window.open(withLink.downloadUrl, '_blank', 'noopener');
    } catch (caught) {
      setActionError(caught);
    }
  }

  async function remove(document: VehicleDocument) {
    setActionError(null);
    try {
      await api(`${path}/${document.id}`, { method: 'DELETE' });
      await documents.reload();
    } catch (caught) {
      setActionError(caught);
    }
  }

  return (
    <section className="section" aria-labelledby="documents-heading">
      <h2 id="documents-heading">Documents</h2>
      <ErrorNotice error={documents.error} onRetry={documents.reload} />
      <ErrorNotice error={actionError} />
      {documents.data?.length === 0 && <p className="muted">No documents yet.</p>}
      <ul className="list">
        {documents.data?.map((document) => {
          const expiry = expiryStatus(document.expiryDate);
          return (
            <li key={document.id} className="list__item">
              <div>
                <strong>{document.title}</strong>{' '}
                <span className="muted">({DOCUMENT_TYPES.find((type) => type.value === document.documentType)?.label})</span>
                {expiry && <p className={`badge badge--${expiry.tone}`}>{expiry.text}</p>}
              </div>
              <div className="list__actions">
                <button type="button" className="button button--small button--secondary" onClick={() => void open(document)}>
                  Open<span className="visually-hidden"> {document.title}</span>
                </button>
                <ConfirmButton label="Delete" className="button button--small button--danger"
                  question={`Delete the document "${document.title}"?`} confirmLabel="Delete"
                  onConfirm={() => remove(document)} />
              </div>
            </li>
          );
        })}
      </ul>
      <AddDocumentForm path={path} onAdded={documents.reload} />
    </section>
  );
}

function AddDocumentForm({ path, onAdded }: { path: string; onAdded: () => Promise<void> }) {
  const offline = useOffline();
  const [values, setValues, clearDraft] = useDraft(`document-${path}`, () => ({ documentType: 'insurance', title: '', expiryDate: '' }));
  const [file, setFile] = useState<File | null>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const { error, busy, reset, send } = useSubmission();
  const errors = fieldErrors(localErrors, error, FIELDS);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    reset();
    const problems: Record<string, string> = {};
    if (!values.title.trim()) problems.title = 'Enter a title';
    if (!file) problems.file = 'Choose a file';
    else if (!FILE_TYPES.includes(file.type)) problems.file = 'Choose a PDF or an image';
    setLocalErrors(problems);
    if (Object.keys(problems).length || !file) return;
    await send(async () => {
      const created = await api<VehicleDocument>(path, {
        method: 'POST',
        json: { ...values, expiryDate: values.expiryDate || null, contentType: file.type, fileName: file.name },
      });
      if (created.upload) await uploadToStorage(created.upload, file);
      clearDraft();
      setFile(null);
      form.reset();
      await onAdded();
    });
  }

  return (
    <form className="form form--inline-section" onSubmit={submit} noValidate aria-labelledby="add-document-heading">
      <h3 id="add-document-heading">Add a document</h3>
      <div className="grid-2">
        <SelectField label="Type" value={values.documentType} options={DOCUMENT_TYPES}
          onValue={(documentType) => setValues({ ...values, documentType })} error={errors.documentType} />
        <TextField label="Title" value={values.title} onValue={(title) => setValues({ ...values, title })} error={errors.title} />
        <TextField label="Expiry date" type="date" value={values.expiryDate}
          onValue={(expiryDate) => setValues({ ...values, expiryDate })} error={errors.expiryDate} />
        <div className={`field${errors.file || errors.contentType ? ' field--invalid' : ''}`}>
          <label htmlFor="document-file">File (PDF or image)</label>
          <input id="document-file" type="file" accept={FILE_TYPES.join(',')}
            aria-invalid={errors.file ? true : undefined}
            aria-describedby={errors.file || errors.contentType ? 'document-file-error' : undefined}
            onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
          {(errors.file || errors.contentType) && (
            <p className="field__error" id="document-file-error">{errors.file || errors.contentType}</p>
          )}
        </div>
      </div>
      <ErrorNotice error={error} knownFields={FIELDS} />
      <button type="submit" className="button" disabled={busy || offline}>{busy ? 'Adding…' : 'Add document'}</button>
    </form>
  );
}
