import { NO_ENRICHMENT, type HubArtifact, type PaperEnrichment } from '../domain/enrichment.ts';
import type { Store } from '../store/store.ts';

export interface PaperEnrichmentDetail {
  enrichment: PaperEnrichment;
  artifacts: HubArtifact[];
  /** The GitHub repository's own description (shown beside its link on the paper page). */
  repoDescription: string | null;
}

/**
 * What pages and the API read of the enrichments (issue 17). A page of papers reads them in one
 * query (`forPapers`), never per card; a paper without any reads as NO_ENRICHMENT.
 */
export class EnrichmentReadService {
  constructor(private readonly store: Store) {}

  forPapers(ids: readonly string[]): Promise<Map<string, PaperEnrichment>> {
    return this.store.enrichments.forPapers(ids);
  }

  async detail(paperId: string): Promise<PaperEnrichmentDetail> {
    const [enrichment, artifacts] = await Promise.all([this.store.enrichments.forPaper(paperId), this.store.enrichments.artifacts(paperId)]);
    const e = enrichment ?? NO_ENRICHMENT;
    const repo = e.githubRepo ? await this.store.enrichments.repo(e.githubRepo) : null;
    return { enrichment: e, artifacts, repoDescription: repo?.status === 'ok' ? repo.description : null };
  }
}
