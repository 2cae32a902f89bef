import type { Collection, User } from '../../../domain/community.ts';
import type { LibraryImportResult } from '../../../services/library.ts';
import { CsrfField } from './forms.tsx';
import { CommunityPage } from './page.tsx';
import { sitePaths } from '../../../domain/site-paths.ts';

/** Export links for a collection (anyone who can read it) and, for its owner, the import form. */
export function LibraryPanel(props: { collection: Collection; own: boolean; csrfToken: string; maxBytes: number }) {
  const id = props.collection.id;
  return (
    <section class="library" aria-labelledby="library-heading">
      <h2 id="library-heading">Export and import</h2>
      <p>
        Download this collection as <a href={sitePaths.collectionFile(id, 'bib')} download>BibTeX</a> · <a href={sitePaths.collectionFile(id, 'ris')} download>RIS</a> (Zotero, Mendeley, EndNote) ·{' '}
        <a href={sitePaths.collectionFile(id, 'csv')} download>CSV</a>
      </p>
      {props.own && (
        <form method="post" action={sitePaths.forms.collectionImport(id)} enctype="multipart/form-data">
          <CsrfField token={props.csrfToken} />
          <p>
            <label>
              Add papers from a BibTeX or RIS file <input type="file" name="file" accept=".bib,.bibtex,.ris,.txt,text/plain" />
            </label>
          </p>
          <p>
            <label>
              or paste entries
              <br />
              <textarea name="text" rows={4} cols={60} placeholder="@article{…} or TY  - JOUR …"></textarea>
            </label>
          </p>
          <p class="hint">Entries are matched to papers here by arXiv id, DOI or exact title (at most {Math.round(props.maxBytes / 1024)} kB).</p>
          <button type="submit">Import</button>
        </form>
      )}
    </section>
  );
}

export function LibraryImportPage(props: { user: User; csrfToken: string; collection: Collection; result: LibraryImportResult }) {
  const { collection: col, result: r } = props;
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return (
    <CommunityPage title={`Import into ${col.name}`} user={props.user} csrfToken={props.csrfToken}>
      <h1>Imported into “{col.name}”</h1>
      <p role="status">
        {r.format === 'bib' ? 'BibTeX' : 'RIS'}: {n(r.entries, 'entry', 'entries')} read; {n(r.added.length, 'paper', 'papers')} added
        {r.alreadyThere.length ? `, ${r.alreadyThere.length} already in the collection` : ''}; {r.unmatched.length} not found; {n(r.errors.length, 'entry', 'entries')} could not be read.
      </p>
      {r.added.length > 0 && (
        <>
          <h2>Added</h2>
          <ul>
            {r.added.map((a) => (
              <li>
                line {a.line}: <a href={sitePaths.paper(a.paperId)}>{a.title}</a> (by {a.by === 'arxiv' ? 'arXiv id' : a.by === 'doi' ? 'DOI' : 'title'})
              </li>
            ))}
          </ul>
        </>
      )}
      {r.unmatched.length > 0 && (
        <>
          <h2>Not found here</h2>
          <ul>
            {r.unmatched.map((u) => (
              <li>
                line {u.line}: {u.title ?? '(no title)'} — {u.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      {r.errors.length > 0 && (
        <>
          <h2>Could not be read</h2>
          <ul>
            {r.errors.map((e) => (
              <li>
                line {e.line}: {e.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      <p>
        <a href={sitePaths.collection(col.id)}>Back to the collection</a>
      </p>
    </CommunityPage>
  );
}
