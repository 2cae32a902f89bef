import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

export interface Line {
  /** 1-based line number in the input. */
  n: number;
  text: string;
  /** Bytes read up to and including this line. */
  bytes: number;
}

/** Splits a byte stream into lines (\n or \r\n), faster than node:readline on large files. */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let n = 0;
  let bytes = 0;
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    const text = rest + decoder.write(buf);
    const chunkEnd = bytes + buf.length;
    let start = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
      const line = text.charCodeAt(i - 1) === 13 ? text.slice(start, i - 1) : text.slice(start, i);
      start = i + 1;
      // Exact byte offsets per line would cost a Buffer.byteLength each; progress needs only the chunk's.
      yield { n: ++n, text: line, bytes: chunkEnd };
    }
    rest = text.slice(start);
    bytes = chunkEnd;
  }
  rest += decoder.end();
  if (rest !== '') yield { n: ++n, text: rest.endsWith('\r') ? rest.slice(0, -1) : rest, bytes };
}
