import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isHubId, MANIFEST_FILE, MODEL_FILES, type ModelManifest } from './model-dir.ts';

/**
 * `paperboy models pull`: downloads a sentence-embedding model's ONNX weights, tokenizer and configs
 * from the Hugging Face hub (or a mirror with its layout): the file list with sizes and checksums
 * from `/api/models/{id}` and `/api/models/{id}/tree/{commit}`, the files from
 * `/{id}/resolve/{commit}/{path}` (which redirects to a CDN). Files go to a staging directory under
 * `<models>/.partial/`, are checked against the hub's checksums (sha256 for LFS files, the git blob
 * hash for the others), and the model directory appears by one rename when every file is complete,
 * so nothing half-written is ever loaded. An interrupted file resumes with a Range request.
 */
export interface PullOptions {
  hubUrl: string;
  id: string;
  modelsDir: string;
  token?: string;
  revision?: string;
  /** Attempts per file (an interrupted transfer resumes; a bad checksum starts the file again). */
  attempts?: number;
  /** A request that sends nothing for this long is abandoned (and retried, resuming). */
  idleTimeoutMs?: number;
  retryDelayMs?: number;
  onProgress?: (p: PullProgress) => void;
}

export interface PullProgress {
  file: string;
  fileBytes: number;
  fileTotal: number;
  bytes: number;
  total: number;
  event: 'start' | 'data' | 'done' | 'retry';
  message?: string;
}

export interface PullResult {
  dir: string;
  revision: string;
  files: { path: string; size: number; sha256: string }[];
  bytes: number;
}

export class HubError extends Error {
  override name = 'HubError';
}

interface TreeEntry {
  type: string;
  path: string;
  size: number;
  oid: string;
  lfs?: { oid: string; size: number };
}

/** The tree entries Paperboy needs: ONNX weights (and external data), config, tokenizer, pooling. */
export function selectFiles(entries: TreeEntry[], id: string): TreeEntry[] {
  const byPath = new Map(entries.filter((e) => e.type === 'file').map((e) => [e.path, e]));
  const weights = MODEL_FILES.weights.find((f) => byPath.has(f));
  if (!weights) throw new HubError(`${id} has no ONNX export (${MODEL_FILES.weights.join(' or ')}): choose a model that has one`);
  const wanted = [weights, `${weights}_data`, ...MODEL_FILES.required, ...MODEL_FILES.tokenizer, ...MODEL_FILES.optional];
  for (const f of MODEL_FILES.required) if (!byPath.has(f)) throw new HubError(`${id} has no ${f}`);
  if (!MODEL_FILES.tokenizer.some((f) => byPath.has(f))) throw new HubError(`${id} has no WordPiece tokenizer (${MODEL_FILES.tokenizer.join(' or ')})`);
  return wanted.filter((f) => byPath.has(f)).map((f) => byPath.get(f)!);
}

async function hubFetch(url: string, opts: PullOptions, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (opts.token) headers.set('authorization', `Bearer ${opts.token}`);
  headers.set('user-agent', 'paperboy');
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers, redirect: 'follow' });
  } catch (err) {
    if (init.signal?.aborted) throw init.signal.reason;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new HubError(`cannot reach the hub at ${opts.hubUrl} (${cause?.code ?? cause?.message ?? (err as Error).message}): check HF_HUB_URL and the network`);
  }
  // The hub answers 401 for a repository it does not show (missing or private) and says which in
  // X-Error-Code; a gated model it shows but will not serve without an accepted licence.
  const code = res.headers.get('x-error-code');
  if (code === 'RepoNotFound' || code === 'EntryNotFound' || res.status === 404) {
    await res.body?.cancel();
    throw new HubError(`${opts.id} was not found on ${opts.hubUrl} (HTTP ${res.status}${code ? ` ${code}` : ''}): check the id (owner/name)` + (code === 'RepoNotFound' ? '; a private model also needs HF_TOKEN' : ''));
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new HubError(
      `${opts.id} is gated or private (HTTP ${res.status}): accept its terms on the hub and set HF_TOKEN` + (opts.token ? ' (the token given was refused)' : ''),
    );
  }
  return res;
}

async function hubJson<T>(url: string, opts: PullOptions): Promise<{ body: T; res: Response }> {
  const res = await hubFetch(url, opts, { headers: { accept: 'application/json' } });
  if (!res.ok) {
    await res.body?.cancel();
    throw new HubError(`the hub answered HTTP ${res.status} for ${url}`);
  }
  try {
    return { body: (await res.json()) as T, res };
  } catch {
    throw new HubError(`the hub answered something that is not JSON for ${url}`);
  }
}

/** The commit a revision names, and the repository's files at that commit (following the tree's pages). */
async function listFiles(opts: PullOptions): Promise<{ commit: string; entries: TreeEntry[] }> {
  const base = opts.hubUrl.replace(/\/+$/, '');
  const revision = opts.revision ?? 'main';
  const infoUrl = revision === 'main' ? `${base}/api/models/${opts.id}` : `${base}/api/models/${opts.id}/revision/${encodeURIComponent(revision)}`;
  const { body: info } = await hubJson<{ sha?: string }>(infoUrl, opts);
  const commit = info.sha;
  if (!commit || !/^[0-9a-f]{40}$/.test(commit)) throw new HubError(`the hub did not say which commit ${opts.id}@${revision} is`);
  const entries: TreeEntry[] = [];
  let next: string | undefined = `${base}/api/models/${opts.id}/tree/${commit}?recursive=true`;
  for (let page = 0; next && page < 100; page++) {
    const { body, res }: { body: TreeEntry[]; res: Response } = await hubJson<TreeEntry[]>(next, opts);
    if (!Array.isArray(body)) throw new HubError(`the hub's file list for ${opts.id} is not a list`);
    entries.push(...body);
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    if (next) next = new URL(next, base).href;
  }
  return { commit, entries };
}

/** The hash the hub publishes for a file: sha256 for LFS files, git's blob sha1 for the rest. */
function hasherFor(entry: TreeEntry): { hash: Hash; expected: string; algorithm: string } {
  if (entry.lfs) return { hash: createHash('sha256'), expected: entry.lfs.oid, algorithm: 'sha256' };
  const h = createHash('sha1');
  h.update(`blob ${entry.size}\0`);
  return { hash: h, expected: entry.oid, algorithm: 'git sha1' };
}

async function hashInto(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/** Downloads one file into `target`, resuming `target.part` where an earlier attempt left it. */
async function downloadFile(entry: TreeEntry, target: string, url: string, opts: PullOptions, progress: (n: number) => void): Promise<string> {
  const part = `${target}.part`;
  const expectedSize = entry.lfs?.size ?? entry.size;
  const { hash, expected, algorithm } = hasherFor(entry);
  let offset = existsSync(part) ? (await stat(part)).size : 0;
  if (offset > expectedSize) {
    await rm(part);
    offset = 0;
  }
  // A stalled transfer is cut after idleTimeoutMs without a byte; the retry resumes from the part.
  const abort = new AbortController();
  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abort.abort(new HubError(`${entry.path}: no data from the hub for ${(opts.idleTimeoutMs ?? 60_000) / 1000} s`)), opts.idleTimeoutMs ?? 60_000);
  };
  touch();
  try {
    return await transfer();
  } finally {
    clearTimeout(idle);
  }

  async function transfer(): Promise<string> {
    const res = await hubFetch(url, opts, { signal: abort.signal, ...(offset ? { headers: { range: `bytes=${offset}-` } } : {}) });
    if (res.status === 416) {
      // The part is as long as the file (or the server disagrees): check it, or start again.
      await res.body?.cancel();
      if (offset !== expectedSize) {
        await rm(part, { force: true });
        throw new HubError(`${entry.path}: the hub refused to resume at byte ${offset}`);
      }
    } else if (res.status === 206 && offset) {
      const start = Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1]);
      if (start !== offset) {
        await res.body?.cancel();
        await rm(part, { force: true });
        throw new HubError(`${entry.path}: the hub resumed at the wrong byte`);
      }
      await hashInto(part, hash);
    } else if (res.status === 200) {
      offset = 0; // the server sent the whole file: start over
    } else {
      await res.body?.cancel();
      throw new HubError(`${entry.path}: the hub answered HTTP ${res.status}`);
    }
    progress(offset);
    if (res.status !== 416 && res.body) {
      const counted = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      let received = offset;
      counted.on('data', (chunk: Buffer) => {
        touch();
        received += chunk.length;
        // Never write more than the hub listed (a wrong or hostile server could fill the disk).
        if (received > expectedSize) abort.abort(new HubError(`${entry.path}: the hub sent more than the ${expectedSize} bytes it listed`));
        hash.update(chunk);
        progress(chunk.length);
      });
      await pipeline(counted, createWriteStream(part, { flags: offset ? 'a' : 'w' }));
    } else if (res.status === 416) {
      await hashInto(part, hash);
    }
    const size = (await stat(part)).size;
    if (size !== expectedSize) throw new HubError(`${entry.path}: got ${size} bytes of ${expectedSize}`);
    const got = hash.digest('hex');
    if (got !== expected) {
      await rm(part, { force: true });
      throw new HubError(`${entry.path}: checksum mismatch (${algorithm} ${got}, the hub says ${expected}): the download was refused`);
    }
    await rename(part, target);
    // The manifest records sha256 for every file (the id of a loaded model hashes them).
    if (algorithm === 'sha256') return got;
    const sha = createHash('sha256');
    await hashInto(target, sha);
    return sha.digest('hex');
  }
}

/** Downloads `id` into `<modelsDir>/<id>/`, replacing an earlier copy only once the new one is complete. */
export async function pullModel(opts: PullOptions): Promise<PullResult> {
  if (!isHubId(opts.id)) throw new HubError(`${JSON.stringify(opts.id)} is not a hub model id (owner/name)`);
  const { commit, entries } = await listFiles(opts);
  const files = selectFiles(entries, opts.id);
  const total = files.reduce((a, f) => a + (f.lfs?.size ?? f.size), 0);
  const final = path.join(opts.modelsDir, opts.id);
  const staging = path.join(opts.modelsDir, '.partial', `${opts.id.replace('/', '--')}@${commit}`);
  await mkdir(staging, { recursive: true });
  const base = opts.hubUrl.replace(/\/+$/, '');
  const attempts = opts.attempts ?? 4;
  let bytes = 0;
  const out: PullResult['files'] = [];
  try {
    for (const entry of files) {
      const target = path.join(staging, entry.path);
      await mkdir(path.dirname(target), { recursive: true });
      const fileTotal = entry.lfs?.size ?? entry.size;
      const url = `${base}/${opts.id}/resolve/${commit}/${entry.path.split('/').map(encodeURIComponent).join('/')}`;
      let fileBytes = 0;
      const report = (event: PullProgress['event'], message?: string) =>
        opts.onProgress?.({ file: entry.path, fileBytes, fileTotal, bytes: bytes + fileBytes, total, event, message });
      report('start');
      for (let attempt = 1; ; attempt++) {
        try {
          fileBytes = 0;
          const sha256 = await downloadFile(entry, target, url, opts, (n) => {
            fileBytes += n;
            report('data');
          });
          out.push({ path: entry.path, size: fileTotal, sha256 });
          break;
        } catch (err) {
          const gated = /gated or private|not found/.test((err as Error).message);
          if (gated || attempt >= attempts) throw err;
          report('retry', (err as Error).message);
          await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 1000) * attempt));
        }
      }
      bytes += fileTotal;
      report('done');
    }
    const manifest: ModelManifest = { hubId: opts.id, revision: commit, pulledAt: new Date().toISOString(), files: out };
    await writeFile(path.join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
    await mkdir(path.dirname(final), { recursive: true });
    const old = `${final}.replaced-${process.pid}`;
    if (existsSync(final)) await rename(final, old);
    await rename(staging, final);
    await rm(old, { recursive: true, force: true });
    await rmdir(path.join(opts.modelsDir, '.partial')).catch(() => undefined); // only when empty
    return { dir: final, revision: commit, files: out, bytes };
  } catch (err) {
    // Keep what was downloaded so the next pull resumes; leave nothing when nothing came.
    const kept = await hasBytes(staging);
    if (!kept) {
      await rm(staging, { recursive: true, force: true });
      await rmdir(path.join(opts.modelsDir, '.partial')).catch(() => undefined);
    }
    throw new HubError(`${(err as Error).message}${kept ? ` (the partial download in ${staging} is resumed by the next pull; it is never loaded)` : ''}`);
  }
}

async function hasBytes(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return false;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && (await stat(path.join(e.parentPath, e.name))).size > 0) return true;
  }
  return false;
}

/** Models in `modelsDir` (pulled or copied there): id, revision, size on disk, dimensions. */
export async function listModels(modelsDir: string): Promise<{ id: string; revision?: string; bytes: number; dimensions?: number; pulledAt?: string }[]> {
  if (!existsSync(modelsDir)) return [];
  const out: { id: string; revision?: string; bytes: number; dimensions?: number; pulledAt?: string }[] = [];
  const visit = async (rel: string, depth: number): Promise<void> => {
    const dir = path.join(modelsDir, rel);
    if (existsSync(path.join(dir, 'config.json'))) {
      let bytes = 0;
      for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (e.isFile()) bytes += (await stat(path.join(e.parentPath, e.name))).size;
      }
      const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as { hidden_size?: number };
      const manifest = existsSync(path.join(dir, MANIFEST_FILE)) ? (JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as ModelManifest) : undefined;
      out.push({ id: rel.split(path.sep).join('/'), revision: manifest?.revision, bytes, dimensions: config.hidden_size, pulledAt: manifest?.pulledAt });
      return;
    }
    if (depth >= 2) return;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith('.') && !e.name.includes('.replaced-')) await visit(path.join(rel, e.name), depth + 1);
    }
  };
  await visit('', 0);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
