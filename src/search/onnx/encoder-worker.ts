import { parentPort, workerData } from 'node:worker_threads';
import { OnnxEncoder } from './encoder.ts';

/**
 * The worker thread behind `OnnxEmbedder`: opens the model once, then answers one `embed` message
 * at a time. onnxruntime-node runs a session synchronously on the calling thread, so doing it here
 * keeps the server's event loop free while papers are embedded.
 */
const { dir, name, threads } = workerData as { dir: string; name?: string; threads?: number };
const port = parentPort!;

try {
  const encoder = await OnnxEncoder.open(dir, { name, threads });
  port.postMessage({ type: 'ready', info: encoder.info });
  port.on('message', async (m: { seq: number; texts: string[] }) => {
    try {
      const vectors = await encoder.encode(m.texts);
      port.postMessage({ type: 'done', seq: m.seq, vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
    } catch (err) {
      port.postMessage({ type: 'error', seq: m.seq, message: (err as Error).message });
    }
  });
} catch (err) {
  port.postMessage({ type: 'error', seq: -1, message: (err as Error).message });
}
