import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from './env.ts';
import { badRequest } from './errors.ts';
import { requireAdmin, requireUser } from './middleware/auth.ts';
import { holdsNul } from './middleware/clean-url.ts';
import { parseUrlencoded } from './forms.ts';
import { ServiceError } from '../services/errors.ts';
import { PAPER_ID } from './params.ts';

/**
 * One declaration per JSON API route: its zod schemas validate the request, document the route
 * in /openapi.json (the registry below), and let tests check every response against the schema.
 * A route reads as a pipeline: middleware (rate limit, auth) → validate → handler → presenter.
 */
export interface ApiRouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path: `/api/papers/{id}`. `{id}` accepts every paper id form. */
  path: string;
  summary: string;
  tags: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Schema of the success body (status `status`, default 200); omit for 204. */
  response?: z.ZodType;
  status?: 200 | 201 | 202 | 204;
  /** `user`: needs a session or token; `admin`: an admin. Documented in /openapi.json and enforced by `apiRoute` itself, before the route's middleware. */
  auth?: 'none' | 'optional' | 'user' | 'admin';
  /** Extra documented statuses, e.g. `{ 429: 'rate limited' }`. */
  errors?: Record<number, string>;
}

export const API_ROUTES: ApiRouteSpec[] = [];

export interface ApiInput<S extends ApiRouteSpec> {
  params: S['params'] extends z.ZodObject ? z.infer<S['params']> : Record<string, string>;
  query: S['query'] extends z.ZodObject ? z.infer<S['query']> : Record<string, never>;
  body: S['body'] extends z.ZodType ? z.infer<S['body']> : undefined;
}

/** `/api/papers/{id}/similar` → Hono's `/api/papers/:id{...}/similar`. */
export function toHonoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'id' && path.startsWith('/api/papers/') ? PAPER_ID : `:${name}`));
}

function describeIssues(where: string, error: z.ZodError): string {
  return error.issues.map((i) => `${where}${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`).join('; ');
}

/** Reads and validates the JSON body; a body that is not JSON is a clear 400. */
async function readBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  const type = c.req.header('content-type') ?? '';
  let body: unknown;
  // A body that claims to be multipart is not JSON, whatever it holds: say so rather than guess.
  if (/^\s*multipart\//i.test(type)) throw new ServiceError(415, 'unsupported_media_type', 'the API takes JSON (application/json) bodies');
  if (type.includes('application/x-www-form-urlencoded')) body = Object.fromEntries(parseUrlencoded(text));
  else {
    try {
      body = JSON.parse(text);
    } catch {
      throw new ServiceError(400, 'bad_json', 'the request body is not valid JSON');
    }
  }
  // PostgreSQL refuses NUL in text; no field needs one, so it is a clear 400 on both stores.
  if (holdsNul(body)) throw new ServiceError(400, 'nul_byte', 'the request body contains a NUL byte (\\u0000)');
  return body;
}

type Handler<S extends ApiRouteSpec> = (c: Context<AppEnv>, input: ApiInput<S>) => Promise<unknown | Response>;

/**
 * Registers a JSON route on `app`: validates params, query and body with the spec's schemas
 * (400 `invalid_request` naming each problem), runs the handler and answers with its value as
 * JSON (or the Response it returns).
 */
export function apiRoute<S extends ApiRouteSpec>(app: Hono<AppEnv>, spec: S, ...handlers: [...((c: Context<AppEnv>, next: () => Promise<void>) => Promise<unknown>)[], Handler<S>]): void {
  if (!API_ROUTES.some((r) => r.method === spec.method && r.path === spec.path)) API_ROUTES.push(spec);
  const handler = handlers.pop() as Handler<S>;
  // Authentication comes from the spec, so what /openapi.json documents is what is enforced.
  const auth = spec.auth === 'user' ? [requireUser()] : spec.auth === 'admin' ? [requireAdmin()] : [];
  const middleware = [...auth, ...handlers] as ((c: Context<AppEnv>, next: () => Promise<void>) => Promise<unknown>)[];
  app.on([spec.method.toUpperCase()], [toHonoPath(spec.path)], ...(middleware as never[]), async (c: Context<AppEnv>) => {
    const input: Record<string, unknown> = { params: c.req.param(), query: {}, body: undefined };
    if (spec.params) {
      const r = spec.params.safeParse(c.req.param());
      if (!r.success) throw badRequest(describeIssues('path', r.error), 'invalid_request');
      input.params = r.data;
    }
    if (spec.query) {
      const r = spec.query.safeParse(c.req.query());
      if (!r.success) throw badRequest(describeIssues('query', r.error), 'invalid_request');
      input.query = r.data;
    }
    if (spec.body) {
      const r = spec.body.safeParse(await readBody(c));
      if (!r.success) throw badRequest(describeIssues('body', r.error), 'invalid_request');
      input.body = r.data;
    }
    const out = await handler(c, input as unknown as ApiInput<S>);
    if (out instanceof Response) return out;
    if (spec.status === 204 || out === undefined) return c.body(null, 204);
    return c.json(out as object, spec.status ?? 200);
  });
}
