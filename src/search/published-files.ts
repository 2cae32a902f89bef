import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { IndexVersion } from '../store/search-index-files.ts';
import { FORMAT_VERSION, IndexFileError } from './index-file.ts';

/**
 * Publishing an index file to every server, shared by the published indexes (keyword, ANN): the
 * version row in the store (`search_index_versions`) says which version is current with its
 * SHA-256 and length; the bytes are a file `<prefix>-v<N>-<checksum>.pbidx` in `dir`, and with
 * `via: 'store'` also 4 MB rows in the store (`search_index_chunks`) that each server copies into
 * its own `dir` (servers on PostgreSQL need no shared disk). See `PublishedKeywordIndex`.
 */
export interface Publication {
  store: Store;
  dir: string;
  via: 'dir' | 'store';
  logger?: Logger;
}

const CHUNK = 4 << 20;

/**
 * The local file of a version. Its checksum is in the name: two databases whose servers share a
 * directory by mistake (or test runs) never take each other's version 1 for their own.
 */
export function publishedFile(dir: string, prefix: string, v: { version: number; checksum: string }): string {
  return path.join(dir, `${prefix}-v${v.version}-${v.checksum.slice(0, 16)}.pbidx`);
}

/**
 * Reads a published version with `read` (which verifies it); a local copy that is missing or does
 * not match is fetched again from the store when the bytes are there. An `IndexFileError` when it
 * cannot be served: the caller rebuilds.
 */
export async function openPublished<T>(p: Publication, v: IndexVersion, file: string, read: (file: string) => Promise<T>): Promise<T> {
  if (v.format !== FORMAT_VERSION) throw new IndexFileError('version', `published ${v.name} index v${v.version} has format ${v.format}, this Paperboy reads format ${FORMAT_VERSION}`);
  try {
    return await read(file);
  } catch (err) {
    if (!(err instanceof IndexFileError) || !v.stored) throw err;
    if (err.problem !== 'missing') p.logger?.warn({ file, problem: err.problem }, `local copy of the ${v.name} index is unusable; fetching it again from the store`);
  }
  await downloadChunks(p.store, v, file);
  return read(file);
}

/**
 * Publishes the next version of `name`: `write` writes the file, then its chunks go into the store
 * (`via: 'store'`), then the version row that makes it current; older versions but the previous
 * one are dropped. The caller holds the publishing lease.
 */
export async function publishFile(
  p: Publication,
  name: string,
  prefix: string,
  write: (file: string) => Promise<{ bytes: number; checksum: string }>,
  /** What the version row records of it, asked once `write` is done. */
  row: () => Pick<IndexVersion, 'papers' | 'cursor'>,
): Promise<IndexVersion> {
  const files = p.store.searchIndexFiles;
  const version = await files.nextVersion(name);
  const writing = path.join(p.dir, `${prefix}-v${version}.writing-${process.pid}`);
  const { bytes, checksum } = await write(writing);
  const file = publishedFile(p.dir, prefix, { version, checksum });
  await fs.promises.rename(writing, file);
  const stored = p.via === 'store';
  try {
    if (stored) await storeChunks(p.store, name, version, file, bytes);
    const v: IndexVersion = { name, version, format: FORMAT_VERSION, checksum, bytes, ...row(), stored, publishedAt: new Date().toISOString() };
    await files.publish(v, v.publishedAt);
    await files.prune(name, version - 1);
    await removeFilesBefore(p.dir, prefix, version - 1);
    return v;
  } catch (err) {
    await files.dropChunks(name, version).catch(() => {});
    await fs.promises.rm(file, { force: true });
    throw err;
  }
}

/** Copies `bytes` bytes of `file` into the store as the chunks of `name` version `version`. */
async function storeChunks(store: Store, name: string, version: number, file: string, bytes: number): Promise<void> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    for (let seq = 0, pos = 0; pos < bytes; seq++) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (!bytesRead) throw new Error(`${file} ended at ${pos} of ${bytes} bytes`);
      await store.searchIndexFiles.putChunk(name, version, seq, buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** Copies a stored version's chunks into `file` (atomically), checking length and checksum on the way. */
async function downloadChunks(store: Store, v: IndexVersion, file: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.download-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fh = await fs.promises.open(tmp, 'w');
  let ok = false;
  try {
    const hash = createHash('sha256');
    let pos = 0;
    for (let seq = 0; ; seq++) {
      const data = await store.searchIndexFiles.chunk(v.name, v.version, seq);
      if (!data) break;
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      // The checksum covers the file after its 64-byte fixed header.
      if (pos + buf.length > 64) hash.update(buf.subarray(Math.max(0, 64 - pos)));
      await fh.write(buf, 0, buf.length, pos);
      pos += buf.length;
    }
    if (pos !== v.bytes) throw new IndexFileError('truncated', `the store holds ${pos} bytes of ${v.name} index v${v.version}, its version row says ${v.bytes}`);
    if (hash.digest('hex') !== v.checksum) throw new IndexFileError('checksum', `the stored bytes of ${v.name} index v${v.version} do not match its checksum`);
    await fh.sync();
    ok = true;
  } finally {
    await fh.close();
    if (ok) await fs.promises.rename(tmp, file);
    else await fs.promises.rm(tmp, { force: true });
  }
}

/** Local files `<prefix>-v<N>-<checksum>.pbidx` of versions older than `keepFrom` (a server still reading one has it in memory already). */
async function removeFilesBefore(dir: string, prefix: string, keepFrom: number): Promise<void> {
  const re = new RegExp(`^${prefix.replace(/[^A-Za-z0-9_-]/g, '\\$&')}-v(\\d+)-[0-9a-f]+\\.pbidx$`);
  for (const name of await fs.promises.readdir(dir).catch(() => [] as string[])) {
    const m = re.exec(name);
    if (m && Number(m[1]) < keepFrom) await fs.promises.rm(path.join(dir, name), { force: true });
  }
}
