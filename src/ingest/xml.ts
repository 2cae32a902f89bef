import { XMLParser } from 'fast-xml-parser';

/** A response that is not well-formed XML, or not the document we expected. */
export class XmlFormatError extends Error {
  override name = 'XmlFormatError';
}

/** Elements that may repeat in arXiv's Atom and OAI-PMH responses: always parsed as arrays. */
const REPEATED = new Set(['entry', 'author', 'category', 'link', 'record', 'setSpec', 'version', 'creator', 'subject', 'description', 'date', 'identifier', 'error']);

/**
 * One parser for arXiv's XML: namespace prefixes dropped (arXiv declares namespaces on the root in
 * some responses and on each element in others), values kept as strings (ids like `0704.0001` must
 * not become numbers). Entities (XML's five and numeric references) are decoded by `text`/`attr`,
 * in one pass and only for the values actually read.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  // Callbacks get the bare tag name: building a path string for every tag cost a tenth of parse time.
  jPath: false,
  isArray: (name) => REPEATED.has(name),
});

const ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes XML's five named entities and numeric character references. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name) return NAMED[name];
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

export type XmlNode = Record<string, unknown>;

/** Parses and validates a document; a syntax error becomes an XmlFormatError with the parser's reason. */
export function parseXml(xml: string): XmlNode {
  try {
    return parser.parse(xml, true) as XmlNode;
  } catch (err) {
    throw new XmlFormatError(`not well-formed XML: ${(err as Error).message}`);
  }
}

/** The text of an element that may carry attributes (`{ '#text': ..., '@x': ... }`) or none. */
export function text(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return decodeEntities(node);
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'object') {
    const t = (node as XmlNode)['#text'];
    return t === undefined ? '' : text(t);
  }
  return null;
}

export function attr(node: unknown, name: string): string | null {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return null;
  const v = (node as XmlNode)[`@${name}`];
  return v === undefined || v === null ? null : decodeEntities(String(v));
}

export function child(node: unknown, name: string): unknown {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  return (node as XmlNode)[name];
}

export function children(node: unknown, name: string): unknown[] {
  const v = child(node, name);
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}
