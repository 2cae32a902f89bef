import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { API_ROUTES } from '../api-route.ts';
import { buildOpenApi, type OpenApiDocument } from '../openapi.ts';
import { exampleOf } from '../openapi-example.ts';
import { siteBase } from '../site-url.ts';
import { Layout } from '../views/layout.tsx';
import { FEED_ROUTES } from '../feeds/catalog.ts';
import { sitePaths } from '../../domain/site-paths.ts';

type Json = Record<string, any>;

let cached: { key: string; doc: OpenApiDocument } | undefined;

/**
 * The document for the routes registered so far (routes register when an app is built), built
 * once per route count and server URL: converting every schema takes a noticeable fraction of a second.
 */
function openApi(serverUrl: string): OpenApiDocument {
  const key = `${API_ROUTES.length} ${serverUrl}`;
  if (cached?.key !== key) cached = { key, doc: buildOpenApi(API_ROUTES, { serverUrl, feeds: FEED_ROUTES }) };
  return cached.doc;
}

function typeOf(schema: Json | undefined): string {
  if (!schema) return '';
  if (schema.enum) return schema.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  const t = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type ?? (schema.$ref ? schema.$ref.split('/').pop() : 'any');
  const range = [schema.minimum !== undefined ? `≥ ${schema.minimum}` : '', schema.maximum !== undefined ? `≤ ${schema.maximum}` : ''].filter(Boolean).join(', ');
  return range ? `${t} (${range})` : t;
}

function Operation({ path, method, op, doc }: { path: string; method: string; op: Json; doc: OpenApiDocument }) {
  const ok = Object.entries(op.responses as Json).find(([code]) => code.startsWith('2'));
  const jsonSchema = ok?.[1]?.content?.['application/json']?.schema;
  const body = op.requestBody?.content?.['application/json']?.schema;
  const errors = Object.entries(op.responses as Json).filter(([code]) => Number(code) >= 400);
  const anchor = op.operationId as string;
  return (
    <section id={anchor}>
      <h3>
        <code>
          {method.toUpperCase()} {path}
        </code>
      </h3>
      <p>
        {op.summary}
        {op.security ? ' · needs a session or an API token (Authorization: Bearer)' : ''}
      </p>
      {(op.parameters as Json[]).length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Parameter</th>
              <th>In</th>
              <th>Type</th>
              <th>Meaning</th>
            </tr>
          </thead>
          <tbody>
            {(op.parameters as Json[]).map((p) => (
              <tr>
                <td>
                  <code>{p.name}</code>
                  {p.required ? ' (required)' : ''}
                </td>
                <td>{p.in}</td>
                <td>{typeOf(p.schema)}</td>
                <td>{p.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {body && (
        <>
          <p>Request body (JSON):</p>
          <pre>{JSON.stringify(exampleOf(body, doc.components.schemas), null, 2)}</pre>
        </>
      )}
      {jsonSchema ? (
        <>
          <p>Response {ok![0]} (JSON), shaped like:</p>
          <pre>{JSON.stringify(exampleOf(jsonSchema, doc.components.schemas), null, 2)}</pre>
        </>
      ) : ok ? (
        <p>
          Response {ok[0]}: {Object.keys(ok[1].content ?? {}).join(' or ') || 'no content'}
        </p>
      ) : null}
      {errors.length > 0 && (
        <p>
          Errors: {errors.map(([code, r]) => `${code} ${r.description}`).join(' · ')}
        </p>
      )}
    </section>
  );
}

export function apiDocsRoutes() {
  const app = new Hono<AppEnv>();

  app.get('/openapi.json', (c) => c.json(openApi(siteBase(c))));

  app.get('/docs/api', (c) => {
    const doc = openApi(siteBase(c));
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op: op as Json })));
    const byTag = new Map<string, typeof ops>();
    for (const o of ops) {
      const tag = (o.op.tags as string[])[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), o]);
    }
    return c.html(
      <Layout title="API and feeds · Paperboy">
        <h1>API and feeds</h1>
        <p>
          JSON over HTTP: camelCase names, ISO 8601 dates, errors as <code>{'{"error": {"code", "message"}}'}</code> with the matching status. Reads
          send <code>ETag</code> and <code>Cache-Control</code> (answer <code>304</code> to <code>If-None-Match</code>), allow CORS from any origin,
          and lists link their next page with a <code>Link: &lt;…&gt;; rel="next"</code> header. Requests are rate limited per IP and per token
          (<code>429</code> with <code>Retry-After</code>). The machine-readable description is <a href={sitePaths.openapi()}>/openapi.json</a> (OpenAPI 3.1).
        </p>
        <nav aria-label="Routes">
          <ul>
            {ops.map((o) => (
              <li>
                <a href={`#${o.op.operationId}`}>
                  <code>
                    {o.method.toUpperCase()} {o.path}
                  </code>
                </a>{' '}
                — {o.op.summary}
              </li>
            ))}
          </ul>
        </nav>
        {[...byTag].map(([tag, list]) => (
          <section>
            <h2>{tag}</h2>
            {list.map((o) => (
              <Operation path={o.path} method={o.method} op={o.op} doc={doc} />
            ))}
          </section>
        ))}
      </Layout>,
    );
  });

  return app;
}
