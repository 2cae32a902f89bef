import fs from 'node:fs';
import path from 'node:path';

/** A corpus record (arXiv listing JSON Lines). */
interface ListingRecord {
  id: string;
  title: string;
  authors: string[];
  abstract: string;
  categories: string[];
  comment: string | null;
  listing_date: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Reads up to `limit` distinct papers from the corpus directory (or one file), in file order. */
export function readCorpus(dir: string, limit: number): ListingRecord[] {
  const files = fs.statSync(dir).isDirectory()
    ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort().map((f) => path.join(dir, f))
    : [dir];
  const seen = new Set<string>();
  const out: ListingRecord[] = [];
  for (const f of files) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as ListingRecord;
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      out.push(r);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

function dayBefore(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** One `<record>` in arXiv's OAI-PMH `arXiv` format, text hard-wrapped as the corpus has it. */
function recordXml(r: ListingRecord): string {
  const authors = r.authors
    .map((a) => {
      const i = a.lastIndexOf(' ');
      return i === -1
        ? `<author><keyname>${esc(a)}</keyname></author>`
        : `<author><keyname>${esc(a.slice(i + 1))}</keyname><forenames>${esc(a.slice(0, i))}</forenames></author>`;
    })
    .join('');
  const categories = r.categories.filter((c) => !/^[A-K]\.\d/.test(c)).join(' ');
  return `<record>
<header>
 <identifier>oai:arXiv.org:${r.id}</identifier>
 <datestamp>${r.listing_date}</datestamp>
 <setSpec>cs</setSpec>
</header>
<metadata>
 <arXiv xmlns="http://arxiv.org/OAI/arXiv/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd">
 <id>${r.id}</id><created>${dayBefore(r.listing_date)}</created><authors>${authors}</authors><title>${esc(r.title)}</title><categories>${esc(categories)}</categories>${r.comment ? `<comments>${esc(r.comment)}</comments>` : ''}<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license><abstract>  ${esc(r.abstract)}
</abstract></arXiv>
</metadata>
</record>`;
}

/** ListRecords pages of `pageSize` records, chained by resumption tokens `bench|<cursor>`. */
export function buildPages(records: ListingRecord[], pageSize: number): Map<string, string> {
  const pages = new Map<string, string>();
  for (let cursor = 0; cursor < records.length; cursor += pageSize) {
    const next = cursor + pageSize < records.length ? `bench|${cursor + pageSize}` : '';
    const body = records.slice(cursor, cursor + pageSize).map(recordXml).join('\n');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">
<responseDate>2025-12-01T01:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="arXiv" set="cs">http://oaipmh.arxiv.org/oai</request>
<ListRecords>
${body}
<resumptionToken cursor="${cursor}" completeListSize="${records.length}">${next}</resumptionToken>
</ListRecords>
</OAI-PMH>
`;
    pages.set(cursor === 0 ? 'start' : `bench|${cursor}`, xml);
  }
  return pages;
}

/** The same records as JSON Lines, for the baseline (the existing listing importer). */
export function asJsonl(records: ListingRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
