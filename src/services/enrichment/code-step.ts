import type { Paper } from '../../domain/paper.ts';
import { findCodeLinks } from '../../domain/code-links.ts';
import type { Store } from '../../store/store.ts';
import type { EnrichmentStep, StepOutcome } from './step.ts';

/** The PDF's first pages as text, as the PDF step keeps it (null when there is none). */
export type PdfTextSource = (paperId: string) => Promise<string | null>;

/** Most links a paper keeps (a PDF with a reference list of repositories is not a code list). */
const MAX_LINKS = 20;

/**
 * Code links (issue 17): GitHub, GitLab and Hugging Face repositories from the abstract, comment
 * and, when the PDF step has run, the PDF's first pages; the best one becomes the paper's
 * `githubRepo`, and the GitHub one among them is what the stars step reads.
 */
export class CodeLinksStep implements EnrichmentStep {
  readonly name = 'code';
  readonly version = 1;
  readonly after?: readonly string[];

  constructor(
    private readonly store: Store,
    private readonly pdfText?: PdfTextSource,
  ) {
    // With a PDF text source, links from the PDF count: wait for the PDF step.
    if (pdfText) this.after = ['pdf'];
  }

  async run(paper: Paper, _signal?: AbortSignal): Promise<StepOutcome> {
    const pdfText = this.pdfText ? await this.pdfText(paper.id) : null;
    const found = findCodeLinks({ title: paper.title, authors: paper.authors, abstract: paper.abstract, comment: paper.comment, pdfText });
    const links = found.links.slice(0, MAX_LINKS);
    await this.store.enrichment.saveCode(paper.id, links, links[0] ?? null, found.githubRepo);
    return { status: 'done', detail: links.length ? `${links.length} code link${links.length === 1 ? '' : 's'}, best ${links[0]}` : 'no code link' };
  }
}
