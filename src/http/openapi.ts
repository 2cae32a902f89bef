import { z } from 'zod';
import type { ApiRouteSpec } from './api-route.ts';
import { ErrorSchema } from './schemas/common.ts';
import type { FEED_ROUTES } from './feeds/catalog.ts';

type Json = Record<string, unknown>;
type Io = 'input' | 'output';

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: Json;
  servers?: { url: string }[];
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
  tags: { name: string }[];
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request body too large',
  429: 'Rate limited (see Retry-After)',
};

/**
 * Turns zod schemas into OpenAPI 3.1 (JSON Schema 2020-12) schemas. Schemas with `.meta({id})`
 * become `components.schemas` entries referenced by `$ref`; when a schema reads differently as
 * input (request) and as output (response), the input variant is named `<id>Input`.
 */
class SchemaCollector {
  readonly components: Record<string, Json> = {};

  convert(schema: z.ZodType, io: Io): Json {
    const js = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
    const defs = (js.$defs ?? {}) as Record<string, Json>;
    delete js.$defs;
    delete js.$schema;
    const names = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) {
      const existing = this.components[id];
      names.set(id, existing && io === 'input' && JSON.stringify(existing) !== JSON.stringify(rewrite(def, new Map())) ? `${id}Input` : id);
    }
    for (const [id, def] of Object.entries(defs)) this.components[names.get(id)!] ??= rewrite(def, names) as Json;
    return rewrite(js, names) as Json;
  }
}

/** `#/$defs/X` → `#/components/schemas/<name of X>`, everywhere in a schema. */
function rewrite(node: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, names));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
      const id = v.slice('#/$defs/'.length);
      out[k] = `#/components/schemas/${names.get(id) ?? id}`;
    } else out[k] = rewrite(v, names);
  }
  return out;
}

function parameters(collector: SchemaCollector, schema: z.ZodObject | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const js = collector.convert(schema, 'input');
  const required = new Set((js.required as string[] | undefined) ?? []);
  return Object.entries((js.properties ?? {}) as Record<string, Json>).map(([name, prop]) => {
    const { description, ...rest } = prop;
    return { name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function security(auth: ApiRouteSpec['auth']): Json[] | undefined {
  if (auth === 'user' || auth === 'admin') return [{ bearerAuth: [] }, { cookieAuth: [] }];
  if (auth === 'optional') return [{}, { bearerAuth: [] }, { cookieAuth: [] }];
  return undefined;
}

function apiOperation(collector: SchemaCollector, r: ApiRouteSpec): Json {
  const status = r.status ?? (r.response ? 200 : 204);
  const responses: Record<string, Json> = {};
  const ok: Json = { description: r.summary };
  if (r.response && status !== 204) ok.content = { 'application/json': { schema: collector.convert(r.response, 'output') } };
  if (r.method === 'get') {
    ok.headers = {
      ETag: { description: 'Weak validator of the body; send it back as If-None-Match for a 304', schema: { type: 'string' } },
      'Cache-Control': { schema: { type: 'string' } },
      Link: { description: 'rel="next": the next page, when there is one', schema: { type: 'string' } },
    };
    responses['304'] = { description: 'Not modified (If-None-Match matched)' };
  }
  responses[String(status)] = ok;
  const errors: Record<number, string> = { 429: STATUS_TEXT[429] };
  if (r.params || r.query || r.body) errors[400] = 'Invalid request';
  if (r.body) errors[413] = STATUS_TEXT[413];
  // Implied by the route's shape: a token can be refused (401) or its account barred (403) on
  // any route that reads one; anything addressed by a path parameter can be missing (404).
  if (r.auth && r.auth !== 'none') {
    errors[401] = STATUS_TEXT[401];
    errors[403] = STATUS_TEXT[403];
  }
  if (r.params) errors[404] = STATUS_TEXT[404];
  for (const [code, text] of Object.entries({ ...errors, ...(r.errors ?? {}) })) responses[code] = errorResponse(text);
  const op: Json = {
    operationId: operationId(r.method, r.path),
    summary: r.summary,
    tags: r.tags,
    parameters: [...parameters(collector, r.params, 'path'), ...parameters(collector, r.query, 'query')],
    responses,
  };
  if (r.body) op.requestBody = { required: !r.body.safeParse(undefined).success, content: { 'application/json': { schema: collector.convert(r.body, 'input') } } };
  const sec = security(r.auth);
  if (sec) op.security = sec;
  return op;
}

function feedOperation(f: (typeof FEED_ROUTES)[number]): Json {
  const xml = { schema: { type: 'string' } };
  return {
    operationId: operationId('get', f.path.replace('.{format}', '')) + 'Feed',
    summary: f.summary,
    tags: ['feeds'],
    parameters: [
      ...Object.entries(f.params ?? {}).map(([name, description]) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } })),
      { name: 'format', in: 'path', required: true, description: 'rss (RSS 2.0) or atom (Atom 1.0)', schema: { type: 'string', enum: ['rss', 'atom'] } },
      ...Object.entries(f.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: true, description, schema: { type: 'string', minLength: 1, maxLength: 200 } })),
    ],
    responses: {
      '200': {
        description: 'The feed; ETag and Last-Modified change only when its items do',
        content: { 'application/rss+xml': xml, 'application/atom+xml': xml },
      },
      '304': { description: 'Not modified (If-None-Match or If-Modified-Since)' },
      '400': errorResponse('Bad parameter'),
      '404': errorResponse('No such feed'),
      '429': errorResponse(STATUS_TEXT[429]),
    },
  };
}

/** The OpenAPI 3.1 document for every registered API route (and the feeds). */
export function buildOpenApi(routes: readonly ApiRouteSpec[], opts: { serverUrl?: string; feeds?: typeof FEED_ROUTES } = {}): OpenApiDocument {
  const collector = new SchemaCollector();
  collector.convert(ErrorSchema, 'output');
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  for (const r of [...routes].sort((a, b) => a.path.localeCompare(b.path))) {
    (paths[r.path] ??= {})[r.method] = apiOperation(collector, r);
    r.tags.forEach((t) => tags.add(t));
  }
  for (const f of opts.feeds ?? []) {
    (paths[f.path] ??= {}).get = feedOperation(f);
    tags.add('feeds');
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Paperboy API',
      version: '1',
      description:
        'The public API of a Paperboy site. JSON, camelCase, ISO 8601 dates; errors are `{"error": {"code", "message"}}`. Reads carry ETag and Cache-Control and answer CORS requests from any origin.',
    },
    ...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
    paths,
    components: {
      schemas: collector.components,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'pb_session', description: 'The session cookie of a signed-in browser' },
      },
    },
    tags: [...tags].sort().map((name) => ({ name })),
  };
}
