import { parseArxivId } from './arxiv-id.ts';

/**
 * A reader's library coming in: BibTeX or RIS text read into entries that can be matched to papers
 * (by arXiv id, DOI or title). Pure. A malformed entry is reported with its line and skipped; the
 * entries around it are kept.
 */
export interface LibraryEntry {
  /** 1-based line where the entry starts. */
  line: number;
  title: string | null;
  doi: string | null;
  arxivId: string | null;
  authors: string[];
  year: string | null;
}

export interface LibraryParseError {
  line: number;
  reason: string;
}

export interface LibraryParse {
  format: 'bib' | 'ris';
  entries: LibraryEntry[];
  errors: LibraryParseError[];
}

export type LibraryImportFormat = 'bib' | 'ris';

/** The format of a pasted or uploaded library, or null when it is neither BibTeX nor RIS. */
export function detectLibraryFormat(text: string): LibraryImportFormat | null {
  if (/^\s*TY {2}- /m.test(text)) return 'ris';
  if (/@[A-Za-z]+\s*[{(]/.test(text)) return 'bib';
  return null;
}

export function parseLibrary(text: string, format: LibraryImportFormat): LibraryParse {
  return format === 'ris' ? parseRis(text) : parseBibtex(text);
}

/** Titles compared without case, accents, TeX markup or punctuation. */
export function titleKey(title: string): string {
  return stripTex(title)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** `{\"o}` → `o`, `\textbf{X}` → `X`, `\&` → `&`, `~` → space; braces dropped. */
export function stripTex(s: string): string {
  return s
    .replace(/\\([&%$#_{}])/g, '$1')
    .replace(/\\[a-zA-Z]+\s*/g, '')
    .replace(/\\[^a-zA-Z\s]/g, '')
    .replace(/[{}]/g, '')
    .replace(/~/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function cleanDoi(raw: string | undefined): string | null {
  if (!raw) return null;
  const m = /(10\.\d{4,9}\/\S+)/.exec(stripTex(raw).trim());
  return m ? m[1].replace(/[.,;]+$/, '') : null;
}

/** An arXiv id from any field that may carry one: eprint, arXiv's DOI, an arxiv.org URL, `arXiv:ID` in a note. */
export function arxivFrom(fields: { eprint?: string; doi?: string | null; urls: string[]; notes: string[] }): string | null {
  if (fields.eprint) {
    const a = parseArxivId(stripTex(fields.eprint));
    if (a) return a.id;
  }
  const viaDoi = fields.doi && /^10\.48550\/arxiv\.(.+)$/i.exec(fields.doi);
  if (viaDoi) {
    const a = parseArxivId(viaDoi[1]);
    if (a) return a.id;
  }
  for (const u of fields.urls) {
    const a = /arxiv\.org\//i.test(u) ? parseArxivId(u.trim()) : null;
    if (a) return a.id;
  }
  for (const n of fields.notes) {
    const m = /arXiv[:\s]\s*([a-z-]+(?:\.[A-Z]{2})?\/\d{7}|\d{4}\.\d{4,5})(v\d+)?/i.exec(stripTex(n));
    if (m) {
      const a = parseArxivId(m[1]);
      if (a) return a.id;
    }
  }
  return null;
}

// --- BibTeX ---------------------------------------------------------------------------------

class BibSyntaxError extends Error {}

/**
 * BibTeX as bibtex and biber read it: `@type{key, field = {value} # "value" # macro, ...}` or with
 * parentheses; `@string` macros, `@comment` and `@preamble` skipped; text between entries ignored.
 */
export function parseBibtex(text: string): LibraryParse {
  const entries: LibraryEntry[] = [];
  const errors: LibraryParseError[] = [];
  const macros = new Map<string, string>(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m) => [m, m]));
  const lineStarts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };

  let pos = 0;
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const fail = (why: string): never => {
    throw new BibSyntaxError(why);
  };
  const ident = () => {
    const m = /^[^\s"#%'(),={}]+/.exec(text.slice(pos, pos + 200));
    if (!m) fail(`expected a name at line ${lineOf(pos)}`);
    pos += m![0].length;
    return m![0];
  };
  const braced = () => {
    // text[pos] === '{'
    let depth = 0;
    const start = pos;
    for (; pos < text.length; pos++) {
      const ch = text[pos];
      if (ch === '\\') {
        pos++;
        continue;
      }
      if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) return text.slice(start + 1, pos++);
      else if (ch === '@' && depth === 1 && text[pos - 1] === '\n') fail('a value is not closed (missing "}")');
    }
    return fail('a value is not closed (missing "}")');
  };
  const quoted = () => {
    let depth = 0;
    const start = ++pos;
    for (; pos < text.length; pos++) {
      const ch = text[pos];
      if (ch === '\\') {
        pos++;
        continue;
      }
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
      else if (ch === '"' && depth === 0) return text.slice(start, pos++);
      else if (ch === '\n' && text[pos + 1] === '@') break;
    }
    return fail('a quoted value is not closed (missing \'"\')');
  };
  const value = (): string => {
    let out = '';
    for (;;) {
      ws();
      const ch = text[pos];
      if (ch === '{') out += braced();
      else if (ch === '"') out += quoted();
      else if (ch !== undefined && /[0-9]/.test(ch)) out += ident();
      else if (ch !== undefined && /[^\s"#%'(),={}]/.test(ch)) {
        const name = ident().toLowerCase();
        out += macros.get(name) ?? '';
      } else fail(`expected a value at line ${lineOf(pos)}`);
      ws();
      if (text[pos] !== '#') return out;
      pos++;
    }
  };
  const fieldsUntil = (close: string): Map<string, string> => {
    const fields = new Map<string, string>();
    for (;;) {
      ws();
      if (text[pos] === close) {
        pos++;
        return fields;
      }
      if (pos >= text.length) fail(`the entry is not closed (missing "${close}")`);
      const name = ident().toLowerCase();
      ws();
      if (text[pos] !== '=') fail(`expected "=" after "${name}" at line ${lineOf(pos)}`);
      pos++;
      fields.set(name, value());
      ws();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) fail(`expected "," or "${close}" at line ${lineOf(pos)}`);
    }
  };

  while (pos < text.length) {
    const at = text.indexOf('@', pos);
    if (at < 0) break;
    pos = at + 1;
    const line = lineOf(at);
    try {
      ws();
      const type = ident().toLowerCase();
      ws();
      const open = text[pos];
      if (open !== '{' && open !== '(') {
        if (type === 'comment') continue;
        fail(`expected "{" after @${type}`);
      }
      const close = open === '{' ? '}' : ')';
      if (type === 'comment' || type === 'preamble') {
        if (open === '{') braced();
        else pos = Math.max(pos, text.indexOf(')', pos) + 1 || text.length);
        continue;
      }
      pos++;
      if (type === 'string') {
        for (const [k, v] of fieldsUntil(close)) macros.set(k, v);
        continue;
      }
      ws();
      const keyMatch = /^[^\s,}]*/.exec(text.slice(pos, pos + 500))![0];
      pos += keyMatch.length;
      ws();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) fail(`expected "," after the citation key "${keyMatch.slice(0, 60)}"`);
      const f = fieldsUntil(close);
      const doi = cleanDoi(f.get('doi')) ?? cleanDoi(/doi\.org\//i.test(f.get('url') ?? '') ? f.get('url') : undefined);
      const title = f.get('title') ? stripTex(f.get('title')!) : null;
      entries.push({
        line,
        title: title || null,
        doi,
        arxivId: arxivFrom({
          eprint: !f.get('archiveprefix') || /arxiv/i.test(f.get('archiveprefix')!) ? f.get('eprint') : undefined,
          doi,
          urls: [f.get('url'), f.get('howpublished')].filter((u): u is string => Boolean(u)),
          notes: [f.get('journal'), f.get('note'), f.get('howpublished'), f.get('eprint')].filter((n): n is string => Boolean(n)),
        }),
        authors: f.get('author') ? stripTex(f.get('author')!).split(/\s+and\s+/i).map((a) => a.trim()).filter(Boolean) : [],
        year: f.get('year') ? stripTex(f.get('year')!).slice(0, 4) : null,
      });
    } catch (err) {
      if (!(err instanceof BibSyntaxError)) throw err;
      errors.push({ line, reason: err.message });
      // Carry on at the next entry: the next "@" that starts a line.
      const next = text.slice(at + 1).search(/\n\s*@/);
      pos = next < 0 ? text.length : at + 1 + next + 1;
    }
  }
  return { format: 'bib', entries, errors };
}

// --- RIS --------------------------------------------------------------------------------------

const RIS_TAG = /^([A-Z][A-Z0-9]) {2}-(?: (.*))?$/;

/** RIS: `TY  - ` opens a record, `ER  - ` closes it; a line without a tag continues the last value. */
export function parseRis(text: string): LibraryParse {
  const entries: LibraryEntry[] = [];
  const errors: LibraryParseError[] = [];
  let cur: { line: number; fields: Array<[string, string]> } | null = null;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const finish = (rec: { line: number; fields: Array<[string, string]> }) => {
    const all = (...tags: string[]) => rec.fields.filter(([t]) => tags.includes(t)).map(([, v]) => v.trim()).filter(Boolean);
    const doi = cleanDoi(all('DO')[0]) ?? cleanDoi(all('UR').find((u) => /doi\.org\//i.test(u)));
    const title = all('TI', 'T1', 'CT')[0];
    entries.push({
      line: rec.line,
      title: title ? stripTex(title) : null,
      doi,
      arxivId: arxivFrom({ doi, urls: all('UR', 'L1', 'L2', 'LK'), notes: all('N1', 'M1', 'JO', 'JF', 'T2', 'AN', 'ID', 'M3') }),
      authors: all('AU', 'A1'),
      year: (all('PY', 'Y1', 'DA')[0] ?? '').slice(0, 4) || null,
    });
  };
  lines.forEach((raw, i) => {
    const line = i + 1;
    const m = RIS_TAG.exec(raw.trimEnd());
    if (!m) {
      if (!raw.trim()) return;
      if (cur && cur.fields.length) cur.fields[cur.fields.length - 1][1] += ` ${raw.trim()}`;
      else errors.push({ line, reason: 'a line outside any RIS record (records start with "TY  - ")' });
      return;
    }
    const [, tag, v = ''] = m;
    if (tag === 'TY') {
      if (cur) errors.push({ line: cur.line, reason: 'the record has no "ER  - " line before the next "TY  - "' });
      cur = { line, fields: [] };
    } else if (tag === 'ER') {
      if (cur) finish(cur);
      else errors.push({ line, reason: '"ER  - " without a record to close' });
      cur = null;
    } else if (cur) cur.fields.push([tag, v]);
    else errors.push({ line, reason: `"${tag}" outside any RIS record (records start with "TY  - ")` });
  });
  if (cur) errors.push({ line: (cur as { line: number }).line, reason: 'the record is not closed by "ER  - "' });
  return { format: 'ris', entries, errors };
}
