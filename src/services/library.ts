import type { User } from '../domain/community.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import { exportLibrary, LIBRARY_CONTENT_TYPES, type LibraryFormat } from '../domain/library-export.ts';
import { detectLibraryFormat, parseLibrary, titleKey, type LibraryEntry, type LibraryImportFormat, type LibraryParseError } from '../domain/library-import.ts';
import type { Store } from '../store/store.ts';
import type { CollectionService } from './collections.ts';
import type { SearchService } from './search.ts';
import { ServiceError } from './errors.ts';

/** The most papers one export holds, and the most entries one import reads. */
export const LIBRARY_LIMITS = { exportPapers: 10_000, importEntries: 2_000 } as const;

export interface LibraryImportResult {
  format: LibraryImportFormat;
  /** Entries read (good ones; the bad ones are in `errors`). */
  entries: number;
  added: Array<{ line: number; paperId: string; title: string; by: 'arxiv' | 'doi' | 'title' }>;
  /** Matched papers the collection already held. */
  alreadyThere: Array<{ line: number; paperId: string; title: string }>;
  unmatched: Array<{ line: number; title: string | null; reason: string }>;
  errors: LibraryParseError[];
}

/**
 * A reader's library in and out: a collection exported as BibTeX, RIS or CSV; BibTeX or RIS
 * imported into a collection, each entry matched to a stored paper by arXiv id, then DOI, then
 * exact title (unmatched entries are listed with the reason, never dropped silently).
 */
export class LibraryService {
  constructor(
    private readonly store: Store,
    private readonly collections: CollectionService,
    private readonly search: SearchService,
  ) {}

  /** The collection as a file, for anyone who may read the collection (private ones: the owner). */
  async export(viewer: User | null, collectionId: number, format: LibraryFormat): Promise<{ filename: string; contentType: string; body: string }> {
    const { collection, papers } = await this.collections.get(viewer, collectionId, LIBRARY_LIMITS.exportPapers);
    const slug = collection.name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60) || 'collection';
    return { filename: `${slug}-${collection.id}.${format}`, contentType: LIBRARY_CONTENT_TYPES[format], body: exportLibrary(papers, format) };
  }

  /** Reads `text` (BibTeX or RIS; detected when `format` is absent) into the user's own collection. */
  async import(user: User, collectionId: number, text: string, format?: LibraryImportFormat): Promise<LibraryImportResult> {
    await this.collections.requireOwn(user, collectionId);
    const fmt = format ?? detectLibraryFormat(text);
    if (!fmt) throw new ServiceError(400, 'unknown_format', 'this is neither BibTeX (entries like @article{…}) nor RIS (records starting with "TY  - ")');
    const parsed = parseLibrary(text, fmt);
    if (parsed.entries.length > LIBRARY_LIMITS.importEntries) {
      throw new ServiceError(400, 'too_many_entries', `an import reads at most ${LIBRARY_LIMITS.importEntries} entries; this one has ${parsed.entries.length}: split it`);
    }
    if (!parsed.entries.length && !parsed.errors.length) throw new ServiceError(400, 'empty', 'no entries were found to import');
    const result: LibraryImportResult = { format: fmt, entries: parsed.entries.length, added: [], alreadyThere: [], unmatched: [], errors: parsed.errors };
    const matches = await this.match(parsed.entries);
    for (const e of parsed.entries) {
      const m = matches.get(e);
      if (!m) {
        result.unmatched.push({ line: e.line, title: e.title, reason: unmatchedReason(e) });
        continue;
      }
      const added = await this.collections.addVisiblePaper(collectionId, m.paper.id);
      if (added) result.added.push({ line: e.line, paperId: m.paper.id, title: m.paper.title, by: m.by });
      else result.alreadyThere.push({ line: e.line, paperId: m.paper.id, title: m.paper.title });
    }
    return result;
  }

  /** Each entry's paper here, by arXiv id, then DOI, then exact title; entries without one are absent. */
  async match(entries: LibraryEntry[]): Promise<Map<LibraryEntry, { paper: PaperWithStats; by: 'arxiv' | 'doi' | 'title' }>> {
    const out = new Map<LibraryEntry, { paper: PaperWithStats; by: 'arxiv' | 'doi' | 'title' }>();
    const byId = new Map((await this.store.papers.getMany(entries.flatMap((e) => (e.arxivId ? [e.arxivId] : [])))).filter((p) => !p.hidden && !p.deleted).map((p) => [p.id, p]));
    const byDoi = await this.store.papers.visibleByDois(entries.flatMap((e) => (e.doi ? [e.doi] : [])));
    for (const e of entries) {
      const viaId = e.arxivId ? byId.get(e.arxivId) : undefined;
      const viaDoi = e.doi ? byDoi.get(e.doi.toLowerCase()) : undefined;
      if (viaId) out.set(e, { paper: viaId, by: 'arxiv' });
      else if (viaDoi) out.set(e, { paper: viaDoi, by: 'doi' });
      else if (e.title && titleKey(e.title).length >= 8) {
        // Titles must agree exactly once case, accents, TeX and punctuation are set aside.
        const want = titleKey(e.title);
        const hit = (await this.search.byTitle(e.title, 3)).find((p) => titleKey(p.title) === want);
        if (hit) out.set(e, { paper: hit, by: 'title' });
      }
    }
    return out;
  }
}

function unmatchedReason(e: LibraryEntry): string {
  const tried = [e.arxivId && `arXiv ${e.arxivId}`, e.doi && `DOI ${e.doi}`, e.title && 'its title'].filter(Boolean);
  return tried.length ? `no paper here matches ${tried.join(', ')}` : 'the entry has no arXiv id, DOI or title to match';
}
