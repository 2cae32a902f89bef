import { parseArxivId } from '../../domain/arxiv-id.ts';
import { completePaper } from '../../domain/complete-paper.ts';
import type { Paper } from '../../domain/paper.ts';
import type { Affiliation } from '../../domain/organisation.ts';
import { XmlFormatError, attr, child, children, parseXml, text } from '../xml.ts';

export type MetadataPrefix = 'arXiv' | 'arXivRaw' | 'oai_dc';

/** One `<record>` of a ListRecords page. */
export interface OaiRecord {
  /** Canonical arXiv id (no version). */
  id: string;
  /** The OAI datestamp (a UTC day): when arXiv last changed the record. */
  datestamp: string;
  sets: string[];
  deleted: boolean;
  /** Null for deleted records. */
  paper: Paper | null;
  /** Day of the first version, for telling new submissions from updates. */
  createdDay: string | null;
  /** Whether a later version replaced the first. */
  replaced: boolean;
  /** When the first version was submitted (arXivRaw only), ISO 8601. */
  submittedAt: string | null;
  /**
   * Each author's `<affiliation>`s (the `arXiv` format only, where the submitter gave them); null
   * where the format carries none (arXivRaw, oai_dc), so what an `arXiv` harvest stored is kept.
   */
  affiliations: Affiliation[] | null;
}

export interface OaiPage {
  records: OaiRecord[];
  /** Records of the page that could not be read, with the reason; the rest of the page is kept. */
  problems: string[];
  /** Null on the last page. */
  resumptionToken: string | null;
  completeListSize: number | null;
  /** The server's `responseDate`, ISO 8601. */
  responseDate: string | null;
  /** An OAI-PMH `<error>` (e.g. `noRecordsMatch`, `badResumptionToken`). */
  error: { code: string; message: string } | null;
}

/** Parses one OAI-PMH `ListRecords` (or `GetRecord`) response in the `arXiv`, `arXivRaw` or `oai_dc` format. */
export function parseListRecords(xml: string): OaiPage {
  const doc = parseXml(xml);
  const root = child(doc, 'OAI-PMH');
  if (!root || typeof root !== 'object') throw new XmlFormatError('not an OAI-PMH response: no <OAI-PMH> element');
  const responseDate = text(child(root, 'responseDate'))?.trim() || null;
  const errorNode = children(root, 'error')[0];
  if (errorNode !== undefined) {
    return {
      records: [],
      problems: [],
      resumptionToken: null,
      completeListSize: null,
      responseDate,
      error: { code: attr(errorNode, 'code') ?? 'unknown', message: (text(errorNode) ?? '').trim() },
    };
  }
  const list = child(root, 'ListRecords') ?? child(root, 'GetRecord');
  if (list === undefined) throw new XmlFormatError('OAI-PMH response has neither <ListRecords> nor <error>');
  const records: OaiRecord[] = [];
  const problems: string[] = [];
  for (const rec of children(list, 'record')) {
    try {
      records.push(parseRecord(rec));
    } catch (err) {
      if (!(err instanceof XmlFormatError)) throw err;
      problems.push(err.message);
    }
  }
  const tokenNode = child(list, 'resumptionToken');
  const token = text(tokenNode)?.trim() || null;
  const size = attr(tokenNode, 'completeListSize');
  return { records, problems, resumptionToken: token, completeListSize: size && /^\d+$/.test(size) ? Number(size) : null, responseDate, error: null };
}

function parseRecord(rec: unknown): OaiRecord {
  const header = child(rec, 'header');
  const identifier = text(child(header, 'identifier'))?.trim() ?? '';
  const datestamp = (text(child(header, 'datestamp')) ?? '').trim().slice(0, 10);
  const parsedId = parseArxivId(identifier.replace(/^oai:arXiv\.org:/i, ''));
  if (!parsedId) throw new XmlFormatError(`record with unreadable identifier ${JSON.stringify(identifier)}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(datestamp)) throw new XmlFormatError(`record ${identifier} has no datestamp`);
  const sets = children(header, 'setSpec').map((s) => (text(s) ?? '').trim()).filter(Boolean);
  const base = { id: parsedId.id, datestamp, sets };
  if (attr(header, 'status') === 'deleted') return { ...base, deleted: true, paper: null, createdDay: null, replaced: false, submittedAt: null, affiliations: null };
  const metadata = child(rec, 'metadata');
  const arxiv = child(metadata, 'arXiv');
  if (arxiv) return { ...base, deleted: false, ...fromArxiv(arxiv, parsedId.id, identifier) };
  const raw = child(metadata, 'arXivRaw');
  if (raw) return { ...base, deleted: false, ...fromArxivRaw(raw, parsedId.id, identifier) };
  const dc = child(metadata, 'dc');
  if (dc) return { ...base, deleted: false, ...fromDublinCore(dc, parsedId.id, identifier) };
  throw new XmlFormatError(`record ${identifier} has no arXiv, arXivRaw or oai_dc metadata`);
}

type Read = { paper: Paper; createdDay: string | null; replaced: boolean; submittedAt: string | null; affiliations: Affiliation[] | null };

function required(node: unknown, name: string, identifier: string): string {
  const v = text(child(node, name))?.trim();
  if (!v) throw new XmlFormatError(`record ${identifier} has no ${name}`);
  return v;
}

function optional(node: unknown, name: string): string | null {
  return text(child(node, name))?.trim() || null;
}

function day(s: string | null): string | null {
  return s && /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : null;
}

/** arXiv lists several DOIs in one field; the paper keeps the first. */
function firstDoi(s: string | null): string | null {
  return s?.split(/[\s,;]+/).find(Boolean) ?? null;
}

function splitCategories(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

function fromArxiv(m: unknown, id: string, identifier: string): Read {
  const categories = splitCategories(required(m, 'categories', identifier));
  const created = day(optional(m, 'created'));
  const updated = day(optional(m, 'updated'));
  const read = children(child(m, 'authors'), 'author').map((a) => ({
    name: [optional(a, 'forenames'), optional(a, 'keyname'), optional(a, 'suffix')].filter(Boolean).join(' '),
    affiliations: children(a, 'affiliation').map((x) => (text(x) ?? '').replace(/\s+/g, ' ').trim()).filter(Boolean),
  }));
  // Collaboration lines split by arXiv leave authors like ":" behind.
  const named = read.filter((a) => /\p{L}/u.test(a.name));
  const authors = named.map((a) => a.name);
  const affiliations = named.flatMap((a) => a.affiliations.map((name) => ({ author: a.name, name })));
  const paper = completePaper({
    id,
    source: 'arxiv',
    version: null,
    title: required(m, 'title', identifier),
    abstract: optional(m, 'abstract') ?? '',
    authors,
    categories,
    primaryCategory: categories[0] ?? null,
    publishedAt: created,
    updatedAt: updated,
    comment: optional(m, 'comments'),
    journalRef: optional(m, 'journal-ref'),
    doi: firstDoi(optional(m, 'doi')),
    license: optional(m, 'license'),
  });
  return { paper, createdDay: created, replaced: updated !== null && updated !== created, submittedAt: null, affiliations };
}

/** `A and B`, `A, B, and C`: arXivRaw keeps the author line as submitted. */
function splitAuthorLine(s: string): string[] {
  return s
    .replace(/\s+/g, ' ')
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

function fromArxivRaw(m: unknown, id: string, identifier: string): Read {
  const categories = splitCategories(required(m, 'categories', identifier));
  const versions = children(m, 'version')
    .map((v) => ({ n: Number((attr(v, 'version') ?? '').replace(/^v/, '')), date: new Date(optional(v, 'date') ?? '') }))
    .filter((v) => Number.isInteger(v.n) && v.n > 0)
    .sort((a, b) => a.n - b.n);
  const first = versions[0];
  const last = versions.at(-1);
  const iso = (d: Date | undefined) => (d && !Number.isNaN(d.getTime()) ? d.toISOString() : null);
  const paper = completePaper({
    id,
    source: 'arxiv',
    version: last?.n ?? null,
    title: required(m, 'title', identifier),
    abstract: optional(m, 'abstract') ?? '',
    authors: splitAuthorLine(optional(m, 'authors') ?? ''),
    categories,
    primaryCategory: categories[0] ?? null,
    publishedAt: iso(first?.date),
    updatedAt: versions.length > 1 ? iso(last?.date) : null,
    comment: optional(m, 'comments'),
    journalRef: optional(m, 'journal-ref'),
    doi: firstDoi(optional(m, 'doi')),
    license: optional(m, 'license'),
  });
  return { paper, createdDay: day(iso(first?.date)), replaced: versions.length > 1, submittedAt: iso(first?.date), affiliations: null };
}

/** Dublin Core carries no category codes and no version; it is read for completeness. */
function fromDublinCore(m: unknown, id: string, identifier: string): Read {
  const descriptions = children(m, 'description').map((d) => (text(d) ?? '').trim());
  const comment = descriptions.find((d) => d.startsWith('Comment:'))?.replace(/^Comment:\s*/, '') ?? null;
  const dates = children(m, 'date').map((d) => day((text(d) ?? '').trim())).filter((d): d is string => !!d);
  const authors = children(m, 'creator').map((c) => {
    const [last, first] = (text(c) ?? '').split(/,\s*/, 2);
    return first ? `${first} ${last}` : last;
  });
  const paper = completePaper({
    id,
    source: 'arxiv',
    version: null,
    title: required(m, 'title', identifier),
    abstract: descriptions.find((d) => !d.startsWith('Comment:')) ?? '',
    authors,
    categories: [],
    primaryCategory: null,
    publishedAt: dates[0] ?? null,
    updatedAt: dates.length > 1 ? dates.at(-1)! : null,
    comment,
    journalRef: null,
    doi: null,
    license: null,
  });
  return { paper, createdDay: dates[0] ?? null, replaced: dates.length > 1, submittedAt: null, affiliations: null };
}
