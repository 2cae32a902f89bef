import { parentPort } from 'node:worker_threads';
import { parseLines, type ParseOptions } from './parse-lines.ts';

/** Worker thread: parses batches of import lines so that parsing runs beside the database writes. */
parentPort!.on('message', (msg: { id: number; lines: { n: number; text: string }[]; opts: ParseOptions }) => {
  try {
    parentPort!.postMessage({ id: msg.id, parsed: parseLines(msg.lines, msg.opts) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).stack ?? String(err) });
  }
});
