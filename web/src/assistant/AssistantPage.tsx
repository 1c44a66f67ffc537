// The AI assistant (only when the edge has an Anthropic key): the answer streams in as it arrives.

import { useRef, useState, type FormEvent } from 'react';
import { send } from '../api/client';
import { useOffline } from '../api/connectivity';
import { ErrorNotice, fieldErrors } from '../components/ErrorNotice';
import { usePageTitle } from '../components/usePageTitle';
import { useDraft } from '../forms/useDraft';
import { SseParser, textOf } from './sse';

const SYSTEM = 'You help a person look after their vehicles: maintenance, fuel economy, costs. Answer briefly and practically.';

export function AssistantPage() {
  usePageTitle('Assistant');
  const offline = useOffline();
  const [draft, setDraft, clearDraft] = useDraft('assistant', () => ({ prompt: '' }));
  const [answer, setAnswer] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [localError, setLocalError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const errors = fieldErrors(localError ? { prompt: localError } : {}, error, ['prompt']);

  async function ask(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!draft.prompt.trim()) {
      setLocalError('Type a question');
      return;
    }
    setLocalError(undefined);
    setAnswer('');
    setBusy(true);
    abort.current = new AbortController();
    try {
      const response = await send('/api/ai/generate', {
        method: 'POST', json: { prompt: draft.prompt, system: SYSTEM, stream: true },
        headers: { Accept: 'text/event-stream' }, signal: abort.current.signal,
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.feed(value)) {
          const { text, error: streamError } = textOf(event);
          if (text) setAnswer((current) => current + text);
          if (streamError) throw new Error(streamError);
        }
      }
      clearDraft();
    } catch (caught) {
      if (!(caught instanceof DOMException && caught.name === 'AbortError')) setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Assistant</h1>
      <form className="form" onSubmit={ask} noValidate>
        <div className={`field${errors.prompt ? ' field--invalid' : ''}`}>
          <label htmlFor="prompt">Your question</label>
          <textarea id="prompt" rows={4} value={draft.prompt} onChange={(event) => setDraft({ prompt: event.target.value })}
            aria-invalid={errors.prompt ? true : undefined} aria-describedby={errors.prompt ? 'prompt-error' : undefined}
            placeholder="How often should I change the oil of a 2022 Tiguan?" />
          {errors.prompt && <p className="field__error" id="prompt-error">{errors.prompt}</p>}
        </div>
        <ErrorNotice error={error} knownFields={['prompt']} />
        <div className="form__actions">
          <button type="submit" className="button" disabled={busy || offline}>{busy ? 'Answering…' : 'Ask'}</button>
          {busy && <button type="button" className="button button--secondary" onClick={() => abort.current?.abort()}>Stop</button>}
        </div>
      </form>
      {(answer || busy) && (
        <section className="section answer" aria-labelledby="answer-heading">
          <h2 id="answer-heading">Answer</h2>
          <div aria-live="polite" aria-busy={busy} className="answer__text">{answer || '…'}</div>
        </section>
      )}
    </>
  );
}
