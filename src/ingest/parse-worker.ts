import { parentPort } from 'node:worker_threads';
import { reuseScratch } from '../store/packed-rows.ts';
import { fileChunks } from './file-chunks.ts';
import { parsedBatches, type ParsedBatch, type ParseOptions } from './parse-lines.ts';

export interface ParseFileRequest {
  kind: 'file';
  id: number;
  file: string;
  opts: ParseOptions;
  batchSize: number;
  /** Lines in the file's first batch (`batchSize` if not given). */
  firstBatchSize?: number;
  /** Batches to send before waiting for the main thread to take one (`ack`). */
  ahead: number;
}

export type FileBatchMessage =
  | ({ id: number; kind: 'batch' } & ParsedBatch)
  | { id: number; kind: 'done' }
  | { id: number; kind: 'error'; error: string };

type Control = { kind: 'ack' | 'cancel'; id: number } | { kind: 'scratch'; buffer: ArrayBuffer };

/** Credits per file being parsed: a batch is sent only while the main thread has room for it. */
const credits = new Map<number, { left: number; cancelled: boolean; wake: (() => void) | null }>();

function post(msg: FileBatchMessage) {
  // Packed rows' buffer moves to the main thread instead of being copied.
  const rows = msg.kind === 'batch' && !Array.isArray(msg.rows) ? msg.rows : null;
  parentPort!.postMessage(msg, rows ? [rows.text.buffer as ArrayBuffer] : []);
}

/** Worker thread: reads an import file, splits and parses its lines, and sends the rows back in batches. */
async function parseFile(req: ParseFileRequest): Promise<void> {
  const credit = { left: req.ahead, cancelled: false, wake: null as (() => void) | null };
  credits.set(req.id, credit);
  try {
    // Leaving the loop early (cancelled) closes the file. Packed rows come in the scratch buffer
    // they were packed in, which the main thread sends back once they are written ('scratch').
    for await (const batch of parsedBatches(fileChunks(req.file), req.opts, req.batchSize, true, req.firstBatchSize)) {
      while (credit.left === 0 && !credit.cancelled) await new Promise<void>((r) => (credit.wake = r));
      if (credit.cancelled) return;
      credit.left--;
      post({ id: req.id, kind: 'batch', ...batch });
    }
    post({ id: req.id, kind: 'done' });
  } catch (err) {
    post({ id: req.id, kind: 'error', error: (err as Error).message });
  } finally {
    credits.delete(req.id);
  }
}

parentPort!.on('message', (msg: ParseFileRequest | Control) => {
  if (msg.kind === 'file') {
    void parseFile(msg);
    return;
  }
  if (msg.kind === 'scratch') {
    reuseScratch(msg.buffer);
    return;
  }
  const credit = credits.get(msg.id);
  if (!credit) return;
  if (msg.kind === 'ack') credit.left++;
  else credit.cancelled = true;
  credit.wake?.();
  credit.wake = null;
});
