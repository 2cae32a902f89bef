import type { FollowKind } from '../../domain/discovery.ts';
import { followKey } from '../../domain/discovery.ts';
import { PostForm } from './community/forms.tsx';
import { sitePaths } from '../../domain/site-paths.ts';

/** Who is looking and what they follow (by `followKey`), for the follow buttons on a page. */
export interface FollowViewer {
  signedIn: boolean;
  csrfToken: string;
  /** This page, for the forms and the log-in link to come back to. */
  next: string;
  follows: Map<string, number>;
}

const WHAT: Record<FollowKind, string> = { author: 'new papers by', category: 'new papers in', search: 'new papers matching', org: 'new papers from' };

/**
 * Follow / unfollow one author, category or search: a plain form that posts to /following and
 * comes back here (no JavaScript needed). A visitor gets a link to log in that comes back here.
 */
export function FollowButton({ viewer, kind, value, label }: { viewer: FollowViewer; kind: FollowKind; value: string; label?: string }) {
  const hint = `${WHAT[kind]} ${label ?? value} under Following`;
  if (!viewer.signedIn) {
    return (
      <a class="follow" href={sitePaths.login(viewer.next)} title={`Log in to follow: ${hint}`}>
        + Follow<span class="vh"> {label ?? value}</span>
      </a>
    );
  }
  const id = viewer.follows.get(followKey(kind, value));
  if (id !== undefined) {
    return (
      <PostForm action={sitePaths.forms.unfollow(id)} csrfToken={viewer.csrfToken} next={viewer.next} class="inline follow-form">
        <button type="submit" class="follow following" aria-pressed="true" title={`You get ${hint}; press to unfollow`}>
          ✓ Following<span class="vh"> {label ?? value}</span>
        </button>
      </PostForm>
    );
  }
  return (
    <PostForm action={sitePaths.following()} csrfToken={viewer.csrfToken} next={viewer.next} class="inline follow-form">
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="value" value={value} />
      <button type="submit" class="follow" aria-pressed="false" title={`Get ${hint}`}>
        + Follow<span class="vh"> {label ?? value}</span>
      </button>
    </PostForm>
  );
}

/** A paper's authors and categories, each with its follow button. */
export function FollowPanel({ viewer, authors, categories }: { viewer: FollowViewer; authors: string[]; categories: string[] }) {
  const shownAuthors = authors.slice(0, 12);
  if (!shownAuthors.length && !categories.length) return null;
  return (
    <section class="follow-panel" aria-labelledby="follow-title">
      <h2 id="follow-title">Follow</h2>
      <p class="tagline">New papers by these authors or in these categories appear under Following and in your digest.</p>
      <ul class="follow-list">
        {shownAuthors.map((a) => (
          <li>
            <span class="follow-name">{a}</span> <FollowButton viewer={viewer} kind="author" value={a} />
          </li>
        ))}
        {categories.map((c) => (
          <li>
            <span class="follow-name">{c}</span> <FollowButton viewer={viewer} kind="category" value={c} />
          </li>
        ))}
      </ul>
    </section>
  );
}
