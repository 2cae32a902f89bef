import { arxivFrom, cleanDoi, stripTex, type LibraryEntry } from './library-import.ts';

/** The part of a Zotero web API item (`GET /users/{id}/items`, format=json) a match needs. */
export interface ZoteroItem {
  key: string;
  version: number;
  data: {
    itemType?: string;
    title?: string;
    DOI?: string;
    url?: string;
    extra?: string;
    archiveID?: string;
    date?: string;
    creators?: Array<{ firstName?: string; lastName?: string; name?: string }>;
  };
}

/** Item types that are not references of their own. */
const NOT_REFERENCES = new Set(['note', 'attachment', 'annotation']);

/**
 * A Zotero item as a library entry. Zotero keeps arXiv ids in `archiveID` (`arXiv:2401.01234`,
 * for preprints), in `extra` (`arXiv: 2401.01234`), in the URL or as arXiv's DOI; DOIs in `DOI` or,
 * for item types without that field, as `DOI: …` in `extra`. Notes and attachments give null.
 */
export function zoteroEntry(item: ZoteroItem, line = 0): LibraryEntry | null {
  const d = item.data ?? {};
  if (NOT_REFERENCES.has(d.itemType ?? '')) return null;
  const extraDoi = /^\s*DOI:\s*(\S+)/im.exec(d.extra ?? '')?.[1];
  const doi = cleanDoi(d.DOI) ?? cleanDoi(extraDoi) ?? cleanDoi(/doi\.org\//i.test(d.url ?? '') ? d.url : undefined);
  const title = d.title ? stripTex(d.title) : null;
  return {
    line,
    title: title || null,
    doi,
    arxivId: arxivFrom({ doi, urls: d.url ? [d.url] : [], notes: [d.archiveID ?? '', d.extra ?? ''].filter(Boolean) }),
    authors: (d.creators ?? []).map((c) => c.name ?? [c.firstName, c.lastName].filter(Boolean).join(' ')).filter(Boolean),
    year: /\b(\d{4})\b/.exec(d.date ?? '')?.[1] ?? null,
  };
}
