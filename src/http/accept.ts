/** Whether the client asked for Markdown before HTML (agents send `Accept: text/markdown`). */
export function wantsMarkdown(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.trim().split(';')[0].toLowerCase());
  const md = types.indexOf('text/markdown');
  const html = types.indexOf('text/html');
  return md >= 0 && (html < 0 || md < html);
}

/**
 * The variant of a cached page an `Accept` header asks for: Markdown (the paper route's, for
 * agents) or the page itself. Every other answer is the same whatever the header says, so the page
 * cache keys on this, not on the header: browsers, curl and feed readers each send their own
 * string, and each string was a miss — a render — of its own.
 */
export function acceptVariant(accept: string | undefined): '' | 'text/markdown' {
  return wantsMarkdown(accept) ? 'text/markdown' : '';
}
