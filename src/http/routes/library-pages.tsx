import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import type { Config } from '../../config.ts';
import type { LibraryFormat } from '../../domain/library-export.ts';
import type { LibraryImportFormat } from '../../domain/library-import.ts';
import { ServiceError } from '../../services/errors.ts';
import type { AppEnv } from '../env.ts';
import { isRowId } from '../params.ts';
import { requireUser } from '../middleware/auth.ts';
import { writeLimits } from '../middleware/limits.ts';
import { errorPage } from '../views/community/error-page.tsx';
import { LibraryImportPage } from '../views/community/library-pages.tsx';

/**
 * Import bodies may be larger than a form's but stay bounded (LIBRARY_IMPORT_MAX_BYTES); refused
 * with 413 while streaming, before sessions, CSRF or the handler read them.
 */
export function libraryImportBodyLimit(config: Config): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: config.libraryImportMaxBytes,
    onError: (c) => c.html(errorPage(413, `That file is larger than ${Math.round(config.libraryImportMaxBytes / 1024)} kB: split it and import the parts.`), 413),
  });
}

/** A collection as a file (`/collections/12.bib`, `.ris`, `.csv`) and the import form's target. */
export function libraryPageRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  app.get('/collections/:file{[0-9]{1,12}\\.(?:bib|ris|csv)}', async (c) => {
    const [id, format] = c.req.param('file').split('.') as [string, LibraryFormat];
    if (!isRowId(id)) throw new ServiceError(404, 'not_found', 'no such collection');
    const file = await c.var.services.library.export(c.var.user, Number(id), format);
    c.header('Content-Type', file.contentType);
    c.header('Content-Disposition', `attachment; filename="${file.filename}"`);
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(file.body);
  });
  app.post(
    '/collections/:cid{[0-9]{1,12}}/import',
    requireUser(),
    ...writeLimits(config, 'library-import'),
    async (c) => {
      if (!isRowId(c.req.param('cid'))) throw new ServiceError(404, 'not_found', 'no such collection');
      const id = Number(c.req.param('cid'));
      const form = await c.req.formData().catch(() => {
        throw new ServiceError(400, 'bad_form', 'the form could not be read; choose a file or paste entries and try again');
      });
      const file = form.get('file');
      const pasted = form.get('text');
      const fromFile = file && typeof file !== 'string' && file.size > 0 ? await file.text() : '';
      const text = fromFile || (typeof pasted === 'string' ? pasted : '');
      if (!text.trim()) throw new ServiceError(400, 'empty', 'choose a BibTeX or RIS file, or paste its entries');
      const format = form.get('format');
      const result = await c.var.services.library.import(c.var.user!, id, text, format === 'bib' || format === 'ris' ? (format as LibraryImportFormat) : undefined);
      const { collection } = await c.var.services.collections.get(c.var.user, id, 1);
      return c.html(<LibraryImportPage user={c.var.user!} csrfToken={c.var.csrfToken} collection={collection} result={result} />);
    },
  );
  return app;
}
