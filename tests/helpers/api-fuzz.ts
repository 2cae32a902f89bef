import http from 'node:http';
import type { ApiRouteSpec } from '../../src/http/api-route.ts';
import { seededRandom } from '../../src/domain/random.ts';

/**
 * One request on its own connection (no keep-alive: a reused socket the server is closing would
 * show up as a reset that says nothing about the app). Rejects on a network error or the timeout.
 */
function send(base: string, req: FuzzRequest, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const r = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, agent: false, headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end(body);
  });
}


const HOSTILE_STRINGS = [
  '', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '9'.repeat(40), '2501.00001', 'hep-th/9901001', '2501.00001v999',
  '../../etc/passwd', '%00', '\u0000', '%2F', '%', '%%', '<script>alert(1)</script>', "' or 1=1 --", '"; drop table papers; --',
  '\ud800', '😀'.repeat(50), 'a'.repeat(5000), 'x'.repeat(100_001), '__proto__', 'constructor', '*', '?', '#', '\n\r\t', 'é'.normalize('NFD'),
  '2025-13-45', '2025-08-01', '2025-W99', 'admin', 'a b c', ':id', '{id}', '1.5', '0x10', '-0', '+1',
];

/** Lone surrogates (which no URL can carry) become U+FFFD. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

export function rng(seed: number): Rng {
  const r = seededRandom(seed);
  return { next: r, int: (n) => Math.floor(r() * n), pick: (xs) => xs[Math.floor(r() * xs.length)] };
}

function randomString(r: Rng): string {
  if (r.next() < 0.6) return r.pick(HOSTILE_STRINGS);
  const len = r.int(r.next() < 0.1 ? 3000 : 40);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(r.next() < 0.8 ? 32 + r.int(95) : r.int(0x3000));
  return s;
}

/** A random JSON value: any type, sometimes deeply nested or large. */
export function randomJson(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 5 : 8);
  switch (k) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2: return r.pick([0, -1, 1, 1.5, 2 ** 53, -(2 ** 31), 1e308, 42, 3]);
    case 3: case 4: return randomString(r);
    case 5:
      // Long arrays hold small values: a long array of nested values would be hundreds of MB.
      if (r.next() < 0.05) return Array.from({ length: 2000 }, () => r.int(1000));
      return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--) o[randomString(r).slice(0, 30)] = randomJson(r, depth + 1);
      return o;
    }
  }
}

/** The field names a zod object schema (possibly optional/nullable-wrapped) declares. */
function shapeKeys(schema: unknown): string[] {
  let s = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { innerType?: unknown } } | undefined;
  for (let i = 0; i < 4 && s; i++) {
    if (s.shape) return Object.keys(s.shape);
    s = (s.unwrap?.() ?? s.def?.innerType) as typeof s;
  }
  return [];
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** One hostile request to `route`: its params, query and body drawn from hostile values and its own field names. */
export function fuzzRequest(route: ApiRouteSpec, r: Rng): FuzzRequest {
  const path = route.path.replace(/\{(\w+)\}/g, () => {
    const v = randomString(r);
    // Mostly encoded; sometimes raw, as far as HTTP lets a client send it (no spaces or controls).
    return r.next() < 0.8 ? encodeURIComponent(wellFormed(v)) : encodeURI(wellFormed(v)).replace(/[?#]/g, '');
  });
  const q = new URLSearchParams();
  const queryKeys = shapeKeys(route.query);
  for (let i = r.int(4); i > 0; i--) {
    const key = queryKeys.length && r.next() < 0.8 ? r.pick(queryKeys) : randomString(r).slice(0, 20);
    q.append(key, randomString(r));
  }
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (route.method !== 'get' && r.next() < 0.9) {
    const bodyKeys = shapeKeys(route.body);
    const roll = r.next();
    if (roll < 0.1) {
      body = r.pick(['{', '{"a":', 'not json', '[1,2', '\u0000', '{"__proto__":{"admin":true}}', 'null', '""']);
      headers['content-type'] = 'application/json';
    } else if (roll < 0.2) {
      body = new URLSearchParams(Object.fromEntries(bodyKeys.map((k) => [k, randomString(r)]))).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      const obj: Record<string, unknown> = {};
      for (const k of bodyKeys) if (r.next() < 0.8) obj[k] = randomJson(r);
      body = JSON.stringify(roll < 0.3 ? randomJson(r) : obj);
      headers['content-type'] = r.next() < 0.9 ? 'application/json' : r.pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', '']);
    }
  }
  const qs = q.toString();
  return { method: route.method.toUpperCase(), path: path + (qs ? `?${qs}` : ''), headers, body };
}

export interface FuzzResult {
  requests: number;
  byStatus: Record<string, number>;
  /** 5xx answers and requests that did not finish in time, with what reproduces them. */
  failures: Array<{ route: string; request: FuzzRequest; status?: number; error?: string; body?: string; ms: number }>;
  slowestMs: number;
  /** The slowest answer per route, to see where time goes. */
  slowestByRoute: Record<string, { ms: number; path: string }>;
}

const short = (req: FuzzRequest): FuzzRequest => ({ ...req, path: req.path.slice(0, 300), body: req.body?.slice(0, 300) });

/**
 * Fires hostile requests at every route of `routes` in turn until `budgetMs` passes or `maxRequests`.
 * `auth` adds headers (a session cookie and CSRF token) so that routes behind log-in validate too.
 */
export async function fuzzApi(base: string, routes: ApiRouteSpec[], opts: { seed: number; budgetMs: number; maxRequests?: number; timeoutMs?: number; auth?: (route: ApiRouteSpec) => Record<string, string>; concurrency?: number }): Promise<FuzzResult> {
  const r = rng(opts.seed);
  const result: FuzzResult = { requests: 0, byStatus: {}, failures: [], slowestMs: 0, slowestByRoute: {} };
  const end = Date.now() + opts.budgetMs;
  let i = 0;
  const plan = () => {
    if (Date.now() >= end || (opts.maxRequests && i >= opts.maxRequests)) return null;
    const route = routes[i++ % routes.length];
    const req = fuzzRequest(route, r);
    // Decided here, not after an await, so that a seed always makes the same requests.
    if (opts.auth && r.next() < 0.7) req.headers = { ...req.headers, ...opts.auth(route) };
    return { route, req };
  };
  await Promise.all(
    Array.from({ length: opts.concurrency ?? 4 }, async () => {
      for (let p = plan(); p; p = plan()) {
        const { route, req } = p;
        result.requests++;
        const t0 = performance.now();
        try {
          const res = await send(base, req, opts.timeoutMs ?? 10_000);
          const text = res.text;
          const ms = Math.round(performance.now() - t0);
          result.byStatus[res.status] = (result.byStatus[res.status] ?? 0) + 1;
          result.slowestMs = Math.max(result.slowestMs, ms);
          const key = `${route.method} ${route.path}`;
          if (ms > (result.slowestByRoute[key]?.ms ?? -1)) result.slowestByRoute[key] = { ms, path: req.path.slice(0, 120) };
          if (res.status >= 500) result.failures.push({ route: `${route.method} ${route.path}`, request: short(req), status: res.status, body: text.slice(0, 300), ms });
        } catch (err) {
          const cause = (err as { cause?: Error }).cause;
          result.failures.push({ route: `${route.method} ${route.path}`, request: short(req), error: `${(err as Error).message}${cause ? `: ${cause.message}` : ''}`, ms: Math.round(performance.now() - t0) });
        }
      }
    }),
  );
  return result;
}
