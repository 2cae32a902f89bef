/** Characters XML 1.0 forbids outright (control characters, lone surrogates, U+FFFE/U+FFFF). */
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text safe inside an XML element or a double- or single-quoted attribute. */
export function xmlEscape(s: string): string {
  return s
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name attr="...">text</name>`, every part escaped; an empty text gives `<name .../>`. */
export function el(name: string, text: string | null, attrs: Record<string, string> = {}): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${xmlEscape(v)}"`)
    .join('');
  return text === null || text === '' ? `<${name}${a}/>` : `<${name}${a}>${xmlEscape(text)}</${name}>`;
}

/** RFC 822 date-time (RSS 2.0): `Fri, 01 Aug 2025 00:00:00 GMT`. */
export const rfc822 = (iso: string) => new Date(iso).toUTCString();

/** RFC 3339 date-time (Atom): `2025-08-01T00:00:00Z`. */
export const rfc3339 = (iso: string) => new Date(iso).toISOString().replace(/\.000Z$/, 'Z');
