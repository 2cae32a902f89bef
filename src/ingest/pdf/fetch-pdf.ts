import { parseRetryAfter } from '../oai/client.ts';

export type PdfFetchResult =
  | { ok: true; bytes: Uint8Array; url: string }
  | { ok: false; reason: string; permanent: boolean; retryAfterMs?: number };

export interface PdfFetchOptions {
  /** The one origin PDFs may come from (ARXIV_PDF_URL's); a redirect elsewhere is refused. */
  origin: string;
  maxBytes: number;
  /** The whole download: connecting, headers and every byte. */
  timeoutMs: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

const MAX_REDIRECTS = 3;
const PDF_MAGIC = '%PDF-';
/** Where `%PDF-` may start: the spec allows junk before it, readers look in the first KiB. */
const MAGIC_WINDOW = 1024;

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/**
 * Downloads one PDF politely and defensively: only from the configured origin (redirects too), at
 * most `maxBytes` (refused on `Content-Length`, cut off while streaming when the server does not
 * say or lies), within `timeoutMs`, and only if the bytes start like a PDF. Never throws for what a
 * server does: every outcome is a result the enrichment runner records (404 and "not a PDF" are
 * permanent, 429/503 carry their `Retry-After`).
 */
export async function fetchPdf(url: string, opts: PdfFetchOptions): Promise<PdfFetchResult> {
  const doFetch = opts.fetch ?? fetch;
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      if (new URL(current).origin !== opts.origin) return { ok: false, reason: `refused: ${new URL(current).host} is not the configured PDF host`, permanent: true };
      const res = await doFetch(current, { signal, redirect: 'manual', headers: { 'user-agent': 'paperboy-enrich (+https://github.com/paperboy)', accept: 'application/pdf' } });
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.body?.cancel();
        if (hop >= MAX_REDIRECTS) return { ok: false, reason: 'too many redirects', permanent: true };
        current = new URL(res.headers.get('location')!, current).toString();
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after')) ?? undefined;
        if (res.status === 404 || res.status === 410) return { ok: false, reason: `PDF not found (HTTP ${res.status})`, permanent: true };
        if (res.status === 429 || res.status === 503) return { ok: false, reason: `PDF host busy (HTTP ${res.status})`, permanent: false, retryAfterMs };
        return { ok: false, reason: `PDF download failed (HTTP ${res.status})`, permanent: false, retryAfterMs };
      }
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        await res.body?.cancel();
        return { ok: false, reason: `PDF too large (${mb(declared)} > ${mb(opts.maxBytes)})`, permanent: true };
      }
      return await readCapped(res, current, opts.maxBytes);
    }
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    if (timeout.aborted) return { ok: false, reason: `PDF download took longer than ${opts.timeoutMs} ms`, permanent: false };
    const e = err as Error & { cause?: Error & { code?: string } };
    return { ok: false, reason: `PDF download failed: ${e.cause?.code ?? e.cause?.message ?? e.message}`, permanent: false };
  }
}

async function readCapped(res: Response, url: string, maxBytes: number): Promise<PdfFetchResult> {
  if (!res.body) return { ok: false, reason: 'empty response', permanent: true };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let checked = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return { ok: false, reason: `PDF too large (more than ${mb(maxBytes)})`, permanent: true };
    }
    chunks.push(value);
    // Look at the start as soon as there is enough of it: an HTML error page is dropped early.
    if (!checked && (total >= MAGIC_WINDOW)) {
      checked = true;
      if (!startsLikePdf(concat(chunks, total))) {
        await reader.cancel();
        return { ok: false, reason: 'not a PDF', permanent: true };
      }
    }
  }
  const bytes = concat(chunks, total);
  if (!checked && !startsLikePdf(bytes)) return { ok: false, reason: 'not a PDF', permanent: true };
  return { ok: true, bytes, url };
}

function startsLikePdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, MAGIC_WINDOW)).toString('latin1');
  return head.includes(PDF_MAGIC);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  if (chunks.length > 1) chunks.splice(0, chunks.length, out);
  return out;
}
