import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * A local stand-in for the Hugging Face hub that answers as the real one does:
 * `GET /api/models/{id}` (with `sha`), `GET /api/models/{id}/tree/{rev}?recursive=true` (paged with
 * a `Link` header; sizes, git oids, LFS sha256), `GET /{id}/resolve/{rev}/{path}` (LFS files: 302 to
 * a CDN route with `X-Linked-Etag`, `X-Linked-Size`, `X-Repo-Commit`; small files served directly
 * with an `ETag`), 401 with `X-Error-Code: RepoNotFound` / `GatedRepo`, and Range requests (206).
 * Faults: a transfer cut off halfway once, one that stalls halfway once, a file served corrupted.
 */
export interface HubModel {
  files: Map<string, Buffer>;
  gated?: boolean;
}

export interface HubServer {
  url: string;
  requests: { method: string; path: string; range?: string; authorization?: string }[];
  models: Map<string, HubModel>;
  /** Paths whose next CDN transfer is cut off after half the bytes. */
  interruptOnce: Set<string>;
  /** Paths whose next CDN transfer stops halfway and hangs (the connection stays open). */
  stallOnce: Set<string>;
  /** Paths always served with 1 MB of extra bytes after the real content. */
  oversize: Set<string>;
  /** Paths always served with one byte flipped. */
  corrupt: Set<string>;
  close(): Promise<void>;
}

const LFS_MIN = 10_000; // files this large are LFS files on the hub (weights, big tokenizers)

function gitOid(b: Buffer): string {
  return createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
}
function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Reads a model directory into a hub model. */
export function hubModelFromDir(dir: string, opts: { gated?: boolean } = {}): HubModel {
  const files = new Map<string, Buffer>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) files.set(path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'), readFileSync(path.join(e.parentPath, e.name)));
  }
  files.set('README.md', Buffer.from('---\nlibrary_name: sentence-transformers\n---\n'));
  files.set('pytorch_model.bin', Buffer.alloc(20_000, 1)); // present on the hub, not downloaded
  return { files, gated: opts.gated };
}

export async function startHubServer(models: Record<string, HubModel>, opts: { pageSize?: number; token?: string } = {}): Promise<HubServer> {
  const state: Omit<HubServer, 'url' | 'close'> = { requests: [], models: new Map(Object.entries(models)), interruptOnce: new Set(), stallOnce: new Set(), oversize: new Set(), corrupt: new Set() };
  const commitOf = (id: string) => createHash('sha1').update(`commit:${id}`).digest('hex');
  const deny = (res: http.ServerResponse, code: string, message: string) => {
    res.writeHead(401, { 'content-type': 'application/json', 'x-error-code': code, 'x-error-message': message });
    res.end(JSON.stringify({ error: message }));
  };
  const send = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, headers: Record<string, string>, file: string) => {
    let data = body;
    if (state.corrupt.has(file)) {
      data = Buffer.from(body);
      data[data.length >> 1] ^= 0xff;
    }
    if (state.oversize.has(file)) data = Buffer.concat([body, Buffer.alloc(1 << 20, 7)]);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    if (start >= data.length && m) {
      res.writeHead(416, { 'content-range': `bytes */${data.length}` });
      res.end();
      return;
    }
    const slice = data.subarray(start);
    res.writeHead(m ? 206 : 200, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-length': String(slice.length),
      ...(m ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
    });
    if (state.interruptOnce.delete(file)) {
      res.write(slice.subarray(0, slice.length >> 1), () => res.socket?.destroy());
      return;
    }
    if (state.stallOnce.delete(file)) {
      res.write(slice.subarray(0, slice.length >> 1));
      return;
    }
    res.end(slice);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://hub');
    state.requests.push({ method: req.method!, path: url.pathname + url.search, range: req.headers.range, authorization: req.headers.authorization });
    const authorised = opts.token !== undefined && req.headers.authorization === `Bearer ${opts.token}`;
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/(main|v1))?$/.exec(url.pathname))) {
      const model = state.models.get(m[1]);
      if (!model) return deny(res, 'RepoNotFound', 'Repository not found');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: m[1], modelId: m[1], sha: commitOf(m[2] === 'v1' ? `${m[1]}@v1` : m[1]), private: false, gated: model.gated ? 'auto' : false, library_name: 'sentence-transformers', siblings: [...model.files.keys()].map((rfilename) => ({ rfilename })) }));
      return;
    }
    if ((m = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([0-9a-f]{40})$/.exec(url.pathname))) {
      const model = state.models.get(m[1]);
      if (!model) return deny(res, 'RepoNotFound', 'Repository not found');
      const dirs = new Set([...model.files.keys()].filter((p) => p.includes('/')).map((p) => p.slice(0, p.lastIndexOf('/'))));
      const all = [
        ...[...dirs].map((p) => ({ type: 'directory', oid: gitOid(Buffer.from(p)), size: 0, path: p })),
        ...[...model.files].map(([p, b]) => ({ type: 'file', oid: gitOid(b), size: b.length, path: p, ...(b.length >= LFS_MIN ? { lfs: { oid: sha256(b), size: b.length, pointerSize: 134 } } : {}) })),
      ];
      const size = opts.pageSize ?? 1000;
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cursor + size < all.length) headers.link = `<${url.pathname}?recursive=true&cursor=${cursor + size}>; rel="next"`;
      res.writeHead(200, headers);
      res.end(JSON.stringify(all.slice(cursor, cursor + size)));
      return;
    }
    if ((m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname))) {
      const model = state.models.get(m[1]);
      if (!model) return deny(res, 'RepoNotFound', 'Repository not found');
      if (model.gated && !authorised) return deny(res, 'GatedRepo', `Access to model ${m[1]} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
      const file = decodeURIComponent(m[3]);
      const body = model.files.get(file);
      if (!body) {
        res.writeHead(404, { 'x-error-code': 'EntryNotFound' });
        res.end('Entry not found');
        return;
      }
      const common = { 'x-repo-commit': commitOf(m[1]) };
      if (body.length >= LFS_MIN) {
        res.writeHead(302, { ...common, location: `/cdn/${sha256(body)}?file=${encodeURIComponent(`${m[1]}/${file}`)}`, 'x-linked-etag': `"${sha256(body)}"`, 'x-linked-size': String(body.length), etag: `"${gitOid(body)}"` });
        res.end();
        return;
      }
      return send(req, res, body, { ...common, etag: `"${gitOid(body)}"`, 'content-type': 'application/octet-stream' }, file);
    }
    if ((m = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname))) {
      const [id, ...rest] = (url.searchParams.get('file') ?? '').split('/');
      const file = rest.slice(1).join('/');
      const body = state.models.get(`${id}/${rest[0]}`)?.files.get(file);
      if (!body || sha256(body) !== m[1]) {
        res.writeHead(403);
        res.end('AccessDenied');
        return;
      }
      return send(req, res, body, { etag: `"${m[1]}"`, 'content-type': 'application/octet-stream' }, file);
    }
    res.writeHead(404);
    res.end('Not Found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    ...state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
