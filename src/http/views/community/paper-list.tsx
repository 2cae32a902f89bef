import type { PaperWithStats } from '../../../domain/paper.ts';
import { sitePaths } from '../../../domain/site-paths.ts';

/** A plain list of paper links with their counts (profile, collection pages). */
export function PaperList({ papers, empty, after }: { papers: PaperWithStats[]; empty: string; after?: (p: PaperWithStats) => unknown }) {
  if (!papers.length) return <p>{empty}</p>;
  return (
    <ul>
      {papers.map((p) => (
        <li>
          <a href={sitePaths.paper(p.id)}>{p.title}</a> <small>({p.id} · ▲ {p.upvotes} · {p.numComments} {p.numComments === 1 ? 'comment' : 'comments'})</small> {after ? (after(p) as never) : null}
        </li>
      ))}
    </ul>
  );
}
