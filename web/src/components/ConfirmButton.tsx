// A destructive action asks first, in a modal <dialog> (focus moves into it, Escape cancels).

import { useId, useRef, useState } from 'react';
import { useOffline } from '../api/connectivity';

export function ConfirmButton({ label, question, confirmLabel, onConfirm, className }: {
  label: string; question: string; confirmLabel: string; onConfirm: () => Promise<void> | void; className?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const offline = useOffline();
  const questionId = useId();

  async function confirm() {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  }

  return (
    <>
      <button type="button" className={className ?? 'button button--danger'} disabled={offline}
        onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} className="dialog" aria-labelledby={questionId}>
        <p className="dialog__question" id={questionId}>{question}</p>
        <div className="dialog__actions">
          <button type="button" className="button button--secondary" onClick={() => dialog.current?.close()}>Cancel</button>
          <button type="button" className="button button--danger" disabled={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
