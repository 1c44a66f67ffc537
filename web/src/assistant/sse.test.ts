import { describe, expect, it } from 'vitest';
import { SseParser, textOf } from './sse';

const delta = (text: string) =>
  `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(text)}}}\n\n`;

describe('SseParser', () => {
  it('joins events split across chunks anywhere', () => {
    const stream = delta('Change the ') + ': keep-alive\n\n' + delta('oil every 5,000 miles.');
    const parser = new SseParser();
    const texts: string[] = [];
    for (let i = 0; i < stream.length; i += 7) {
      for (const event of parser.feed(stream.slice(i, i + 7))) {
        const { text } = textOf(event);
        if (text) texts.push(text);
      }
    }
    expect(texts.join('')).toBe('Change the oil every 5,000 miles.');
  });

  it('reads CRLF line ends and the event name', () => {
    const [event] = new SseParser().feed('event: message_stop\r\ndata: {"type":"message_stop"}\r\n\r\n');
    expect(event).toEqual({ event: 'message_stop', data: '{"type":"message_stop"}' });
    expect(textOf(event)).toEqual({});
  });

  it('reports an error event', () => {
    const [event] = new SseParser().feed('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    expect(textOf(event)).toEqual({ error: 'Overloaded' });
  });
});
