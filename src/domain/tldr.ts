/**
 * The TL;DR prompt and the checks on what an LLM answers (issue 17). Pure: the summary step sends
 * the prompt and stores only an answer `parseTldr` accepts.
 */
export const TLDR_PROMPT_VERSION = 1;

export const MAX_TLDR_CHARS = 500;
export const MAX_KEYWORDS = 8;
const MAX_KEYWORD_CHARS = 60;

const SYSTEM = [
  'You summarise research papers for a reading list.',
  'Answer with one JSON object and nothing else: {"tldr": string, "keywords": string[]}.',
  '"tldr": exactly two plain-text sentences (no Markdown, no LaTeX), at most 60 words, saying what the paper does and what it finds.',
  `"keywords": at most ${MAX_KEYWORDS} short key phrases (1 to 4 words each) naming its topics, methods and data sets.`,
].join(' ');

/** Cuts text at a word boundary so the prompt stays within `max` characters. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.8 ? cut.slice(0, space) : cut) + ' …';
}

export function tldrMessages(title: string, abstract: string, maxAbstractChars: number): Array<{ role: 'system' | 'user'; content: string }> {
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Title: ${capText(title, 500)}\n\nAbstract: ${capText(abstract, maxAbstractChars)}` },
  ];
}

export type TldrParse = { ok: true; tldr: string; keywords: string[] } | { ok: false; reason: string };

// Control characters (other than whitespace) never belong in a summary shown on a page.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Reads the model's answer: a JSON object (optionally in a ```json fence) with a short TL;DR. */
export function parseTldr(content: unknown): TldrParse {
  if (typeof content !== 'string' || !content.trim()) return { ok: false, reason: 'empty answer' };
  let text = content.trim();
  const fence = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(text);
  if (fence) text = fence[1];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'answer is not JSON' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, reason: 'answer is not a JSON object' };
  const o = v as Record<string, unknown>;
  const raw = o.tldr ?? o.summary;
  if (typeof raw !== 'string') return { ok: false, reason: 'answer has no "tldr" string' };
  const tldr = raw.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  if (!tldr) return { ok: false, reason: 'empty TL;DR' };
  if (tldr.length > MAX_TLDR_CHARS) return { ok: false, reason: `TL;DR too long (${tldr.length} characters)` };
  const list = Array.isArray(o.keywords) ? o.keywords : [];
  const keywords: string[] = [];
  for (const k of list) {
    if (typeof k !== 'string') continue;
    const clean = k.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
    if (!clean || clean.length > MAX_KEYWORD_CHARS) continue;
    if (!keywords.some((x) => x.toLowerCase() === clean.toLowerCase())) keywords.push(clean);
    if (keywords.length === MAX_KEYWORDS) break;
  }
  return { ok: true, tldr, keywords };
}

/** A small stable number from the model's name, so a new model makes a new step version. */
export function modelVersion(model: string): number {
  let h = 2166136261;
  for (const ch of `${TLDR_PROMPT_VERSION}:${model}`) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
  return (h >>> 1) || 1;
}
