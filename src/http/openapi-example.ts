type Json = Record<string, unknown>;

/**
 * A made-up value of the shape a JSON Schema describes, for the API page and for generated test
 * requests: `examples`/`default` when given, else strings that fit their format and length,
 * numbers at their minimum, arrays of one element. `requiredOnly` leaves optional properties out.
 */
export function exampleOf(schema: unknown, components: Record<string, Json>, depth = 0, requiredOnly = false): unknown {
  if (!schema || typeof schema !== 'object' || depth > 8) return null;
  const s = schema as Json;
  if (typeof s.$ref === 'string') return exampleOf(components[s.$ref.split('/').pop()!], components, depth + 1, requiredOnly);
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum)) return s.enum[0];
  const variants = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (variants) {
    const nonNull = variants.find((v) => (v as Json).type !== 'null');
    return exampleOf(nonNull ?? variants[0], components, depth + 1, requiredOnly);
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') ?? 'null' : s.type;
  switch (type) {
    case 'object': {
      const out: Json = {};
      const required = new Set((s.required ?? []) as string[]);
      for (const [k, v] of Object.entries((s.properties ?? {}) as Json)) {
        if (!requiredOnly || required.has(k)) out[k] = exampleOf(v, components, depth + 1, requiredOnly);
      }
      return out;
    }
    case 'array':
      return [exampleOf(s.items, components, depth + 1, requiredOnly)];
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' && s.minimum > 0 ? s.minimum : 0;
    case 'boolean':
      return false;
    case 'string':
      return exampleString(s);
    case 'null':
      return null;
    default:
      return {};
  }
}

const FORMATS: Record<string, string> = {
  email: 'reader@example.org',
  uri: 'https://example.org/',
  url: 'https://example.org/',
  'date-time': '2025-08-01T00:00:00.000Z',
  date: '2025-08-01',
};

function exampleString(s: Json): string {
  if (typeof s.format === 'string' && FORMATS[s.format]) return FORMATS[s.format];
  if (typeof s.pattern === 'string' && s.pattern.includes('\\d{4}-\\d{2}-\\d{2}')) return '2025-08-01';
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  let text = 'example text';
  while (text.length < min) text += ' example text';
  return text.slice(0, Math.max(min, Math.min(max, text.length)));
}
