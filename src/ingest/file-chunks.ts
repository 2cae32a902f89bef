import fs from 'node:fs';

/** Bytes per read. */
const CHUNK = 1 << 20;
/** Read buffers of this thread not in use by a reader (each file being read takes one). */
const SPARE: Buffer[] = [];
const MAX_SPARE = 2;

/**
 * A file's bytes, a chunk at a time, read into one buffer this thread keeps: each chunk is valid
 * only until the next is asked for (`readLines` copies what it keeps across chunks).
 *
 * `fs.createReadStream` allocates a fresh 1 MB buffer for every read, and copies the last read of
 * each file into one more of its exact size. In an import's parse worker that was about 130 MB of
 * new memory per 75,000 papers, each page faulted in by the kernel: on a loaded virtual machine
 * the page faults cost more than the copying (bench/import, round 19).
 */
export async function* fileChunks(file: string): AsyncGenerator<Buffer> {
  const buf = SPARE.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
  const fh = await fs.promises.open(file, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
    if (SPARE.length < MAX_SPARE) SPARE.push(buf);
  }
}
