import { artifactPath, keywordsOf, type HubArtifact, type PaperEnrichment } from '../../domain/enrichment.ts';
import { httpUrl as safeHref } from '../../domain/links.ts';
import { sitePaths } from '../../domain/site-paths.ts';

/**
 * The enrichments as pages show them (issue 17): stars, the TL;DR (only an LLM's is called "AI
 * summary"), keywords, and Hugging Face artifacts. Everything from outside is text in JSX, so it is
 * escaped; links pass `safeHref` (http(s) only).
 */
export const formatStars = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k` : n.toLocaleString('en-US'));

/** "★ 1,234" linking to the repository, for a card's meta line. */
export function StarsLink({ stars, href }: { stars: number; href: string }) {
  return (
    <a href={href} class="stars" aria-label={`${stars} GitHub stars`}>
      ★ {formatStars(stars)}
    </a>
  );
}

/** A card's one-line TL;DR (an LLM's, labelled as such) or, without one, its keywords. */
export function CardSummary({ e }: { e: PaperEnrichment }) {
  if (e.summary) {
    return (
      <p class="tldr">
        <span class="label">AI summary:</span> {e.summary.text}
      </p>
    );
  }
  const { keywords } = keywordsOf(e);
  if (!keywords.length) return null;
  return (
    <p class="kw">Keywords: {keywords.slice(0, 5).join(' · ')}</p>
  );
}

const KIND_TITLES: Array<[HubArtifact['kind'], string]> = [
  ['model', 'Models'],
  ['dataset', 'Datasets'],
  ['space', 'Spaces'],
];

/** The paper page's TL;DR, keywords, code with stars, and artifacts on the hub. */
export function EnrichmentSection({ e, artifacts, repoDescription, hubUrl }: { e: PaperEnrichment; artifacts: HubArtifact[]; repoDescription: string | null; hubUrl: string }) {
  const { keywords, source } = keywordsOf(e);
  const hub = hubUrl.replace(/\/+$/, '');
  const best = safeHref(e.codeRepo);
  return (
    <>
      {e.summary && (
        <section aria-labelledby="tldr-title" class="tldr-section">
          <h2 id="tldr-title">AI summary</h2>
          <p class="tldr">{e.summary.text}</p>
          <p class="tagline">Written by {e.summary.model}; it may be wrong — the abstract below is the authors'.</p>
        </section>
      )}
      {keywords.length > 0 && (
        <p class="keywords">
          <span class="label">{source === 'llm' ? 'Keywords (AI)' : 'Keywords'}:</span>{' '}
          {keywords.map((k, i) => (
            <>
              {i > 0 && ' '}
              <a class="tag" href={sitePaths.search({ q: k })}>
                {k}
              </a>
            </>
          ))}
        </p>
      )}
      {best && (
        <p class="code-repo">
          <span class="label">Code:</span> <a href={best}>{best.replace(/^https:\/\//, '')}</a>
          {e.githubStars !== null && e.githubRepo && best.toLowerCase() === `https://github.com/${e.githubRepo}` && <span class="stars"> ★ {formatStars(e.githubStars)}</span>}
          {repoDescription && best.toLowerCase() === `https://github.com/${e.githubRepo}` && <span class="repo-description"> — {repoDescription}</span>}
        </p>
      )}
      {artifacts.length > 0 && (
        <section aria-labelledby="hub-title">
          <h2 id="hub-title">On Hugging Face</h2>
          {KIND_TITLES.map(([kind, title]) => {
            const list = artifacts.filter((a) => a.kind === kind);
            if (!list.length) return null;
            return (
              <>
                <h3>
                  {title} citing this paper ({list.length})
                </h3>
                <ul class="artifacts">
                  {list.slice(0, 20).map((a) => (
                    <li>
                      <a href={safeHref(`${hub}${artifactPath(a)}`) ?? '#'}>{a.id}</a>
                      <span class="tagline">
                        {' '}
                        ♥ {a.likes}
                        {a.detail ? ` · ${a.detail}` : ''}
                      </span>
                    </li>
                  ))}
                </ul>
                {list.length > 20 && <p class="tagline">and {list.length - 20} more on the hub.</p>}
              </>
            );
          })}
        </section>
      )}
    </>
  );
}
