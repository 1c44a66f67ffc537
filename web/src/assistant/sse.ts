// Server-sent events from POST /api/ai/generate (stream: true): the edge relays Anthropic's
// Messages stream as it arrives. Chunks split events anywhere, so lines are buffered.

export interface SseEvent {
  event: string;
  data: string;
}

export class SseParser {
  private buffer = '';

  /** The complete events in `chunk` plus what earlier chunks left unfinished. */
  feed(chunk: string): SseEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const events: SseEvent[] = [];
    let end = this.buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const parsed = parseBlock(block);
      if (parsed) events.push(parsed);
      end = this.buffer.indexOf('\n\n');
    }
    return events;
  }
}

function parseBlock(block: string): SseEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : null;
}

/** The text an Anthropic stream event adds, or an error it reports. */
export function textOf(event: SseEvent): { text?: string; error?: string } {
  let payload: { type?: string; delta?: { type?: string; text?: string }; error?: { message?: string } };
  try {
    payload = JSON.parse(event.data);
  } catch {
    return {};
  }
  if (payload.type === 'content_block_delta' && payload.delta?.type === 'text_delta') {
    return { text: payload.delta.text ?? '' };
  }
  if (payload.type === 'error') return { error: payload.error?.message ?? 'The assistant failed' };
  return {};
}
