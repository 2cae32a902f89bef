/**
 * What the enrichment steps add to a paper (issue 17): code links with GitHub stars, an LLM TL;DR
 * and keywords (with the model that wrote them), offline key phrases, and Hugging Face hub artifacts.
 */
export interface PaperEnrichment {
  /** Whether the code step has run: its (possibly empty) links then replace those found at import. */
  codeChecked: boolean;
  /** Code repositories found in the abstract, comment and PDF text, normalised, best first. */
  codeLinks: string[];
  /** The repository shown as the paper's code (the official-looking one). */
  codeRepo: string | null;
  /** `owner/name` (lower case) of the GitHub repository among the links, whose stars are shown. */
  githubRepo: string | null;
  githubStars: number | null;
  /** Two sentences by an LLM, with its keywords; null without an LLM (or before it ran). */
  summary: { text: string; keywords: string[]; model: string } | null;
  /** Key phrases chosen offline from the title and abstract against the corpus. */
  keyphrases: string[];
}

export const NO_ENRICHMENT: PaperEnrichment = { codeChecked: false, codeLinks: [], codeRepo: null, githubRepo: null, githubStars: null, summary: null, keyphrases: [] };

export type ArtifactKind = 'model' | 'dataset' | 'space';

/** A model, dataset or Space on the Hugging Face hub whose card cites the paper. */
export interface HubArtifact {
  kind: ArtifactKind;
  /** `owner/name` on the hub. */
  id: string;
  likes: number;
  downloads: number | null;
  /** Pipeline tag of a model, SDK of a Space. */
  detail: string | null;
}

/** The keywords to show: the LLM's when there are, else the offline key phrases. */
export function keywordsOf(e: PaperEnrichment): { keywords: string[]; source: 'llm' | 'keyphrase' | null } {
  if (e.summary && e.summary.keywords.length) return { keywords: e.summary.keywords, source: 'llm' };
  if (e.keyphrases.length) return { keywords: e.keyphrases, source: 'keyphrase' };
  return { keywords: [], source: null };
}

/** The hub page of an artifact (`/datasets/…`, `/spaces/…`, models at the root). */
export function artifactPath(a: Pick<HubArtifact, 'kind' | 'id'>): string {
  const prefix = a.kind === 'dataset' ? '/datasets/' : a.kind === 'space' ? '/spaces/' : '/';
  return prefix + a.id.split('/').map(encodeURIComponent).join('/');
}
