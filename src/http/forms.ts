import type { Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from './env.ts';
import { ServiceError } from '../services/errors.ts';

/**
 * The longest value each site form field may hold, checked at the edge before any handler or
 * service sees the form: a 10 MB user name used to reach the log-in throttle and be stored as a
 * `login_failures` key. Fields not listed get `FIELD_MAX_DEFAULT`.
 */
export const FORM_FIELD_CAPS: Record<string, number> = {
  body: 20_000, // a comment: 10,000 characters once trimmed, with room for \r\n line ends
  description: 2_000,
  reason: 1_000,
  note: 2_000, // a report's note (1,000 characters, checked by the service)
  evidence: 2_000, // an author claim's evidence (1,000 characters, checked by the service)
  website: 600, // an organisation's website (500 characters, checked by the service)
  code: 600, // author-set links (500 characters, checked by the service)
  project: 600,
  categories: 2_000,
  next: 2_000,
  password: 1_024,
  username: 254, // log-in accepts an e-mail address here
  email: 254,
  q: 500,
};
export const FIELD_MAX_DEFAULT = 300;
export const FORM_MAX_FIELDS = 100;

const field = (name: string) =>
  z
    .string()
    .max(FORM_FIELD_CAPS[name] ?? FIELD_MAX_DEFAULT, `the field "${name.slice(0, 40)}" has at most ${FORM_FIELD_CAPS[name] ?? FIELD_MAX_DEFAULT} characters`)
    .refine((v) => !v.includes('\0'), `the field "${name.slice(0, 40)}" contains a NUL byte`);

const FormEntries = z
  .array(z.tuple([z.string().max(100, 'a form field name is longer than 100 characters'), z.string()]))
  .max(FORM_MAX_FIELDS, `a form has at most ${FORM_MAX_FIELDS} fields`)
  .superRefine((entries, ctx) => {
    for (const [name, value] of entries) {
      const r = field(name).safeParse(value);
      if (!r.success) ctx.addIssue({ code: 'custom', message: r.error.issues[0].message });
      if (name.includes('\0')) ctx.addIssue({ code: 'custom', message: 'a form field name contains a NUL byte' });
    }
  });

/**
 * Strict application/x-www-form-urlencoded: URLSearchParams turns a broken `%` escape or bytes that
 * are not UTF-8 into look-alike text without a word; here they are a 400 the sender can fix.
 */
export function parseUrlencoded(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    try {
      out.push([decodeURIComponent(k.replace(/\+/g, ' ')), decodeURIComponent(v.replace(/\+/g, ' '))]);
    } catch {
      throw new ServiceError(400, 'bad_form', 'the form is not valid application/x-www-form-urlencoded (a broken %-escape or bytes that are not UTF-8)');
    }
    if (out.length > FORM_MAX_FIELDS) break;
  }
  return out;
}

/**
 * Reads a site form (urlencoded, as every Paperboy form posts, or multipart) into
 * URLSearchParams, refusing with 400 what no page sends: a body that is not the form it claims,
 * files, NUL bytes, too many fields, a field beyond its cap.
 */
export async function readForm(c: Context<AppEnv>): Promise<URLSearchParams> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  let entries: [string, string][];
  if (type.startsWith('multipart/form-data')) {
    let data: FormData;
    try {
      data = await c.req.raw.clone().formData();
    } catch {
      throw new ServiceError(400, 'bad_form', 'the request body is not valid multipart/form-data');
    }
    entries = [];
    data.forEach((v, k) => {
      if (typeof v !== 'string') throw new ServiceError(400, 'bad_form', 'this form takes no files');
      entries.push([k, v]);
    });
  } else {
    const text = await c.req.text();
    if (text && !type.startsWith('application/x-www-form-urlencoded')) {
      throw new ServiceError(415, 'unsupported_media_type', 'send the form as application/x-www-form-urlencoded');
    }
    entries = parseUrlencoded(text);
  }
  const r = FormEntries.safeParse(entries);
  if (!r.success) throw new ServiceError(400, 'bad_form', r.error.issues[0].message);
  return new URLSearchParams(r.data);
}
