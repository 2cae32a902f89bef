import type { User } from '../../../domain/community.ts';
import type { Profile } from '../../../services/profiles.ts';
import { CardForms, FeedList, type CardViewer } from '../components.tsx';
import type { PaperWithStats } from '../../../domain/paper.ts';
import { AccountPage, CommunityPage } from './page.tsx';
import { ProfileAuthorship } from '../authorship-pages.tsx';
import type { Organisation } from '../../../domain/organisation.ts';
import { sitePaths } from '../../../domain/site-paths.ts';

export type ProfileData = Profile;

export function ProfilePage(props: { viewer: User | null; csrfToken: string; data: ProfileData; cards: CardViewer; authorship?: { papers: Array<{ id: string; title: string; authorName: string }>; orgs: Organisation[] } }) {
  const { profile, upvoted, submitted, comments, collections } = props.data;
  const own = props.viewer?.id === profile.id;
  const content = (
    <>
      <h1>{profile.username}</h1>
      <p>
        Member since {profile.createdAt.slice(0, 10)}
        {profile.role === 'admin' ? ' · admin' : ''}
        {profile.banned ? ' · banned' : ''}
      </p>
      {props.authorship && <ProfileAuthorship papers={props.authorship.papers} orgs={props.authorship.orgs} />}
      {/* Both lists are cards as on every other list (thumbnail, stars, TL;DR or keywords); their buttons share one set of card forms. */}
      <CardForms viewer={props.cards} />
      <section aria-labelledby="upvotes-heading">
        <h2 id="upvotes-heading">Upvotes</h2>
        <ProfileCards papers={upvoted} cards={props.cards} label="upvotes-heading" idPrefix="tu" empty="No upvotes yet." />
      </section>
      <section aria-labelledby="submissions-heading">
        <h2 id="submissions-heading">Submissions</h2>
        <ProfileCards papers={submitted.map((s) => s.paper)} cards={props.cards} label="submissions-heading" idPrefix="ts" empty="No submissions yet." />
      </section>
      <section aria-labelledby="comments-heading">
        <h2 id="comments-heading">Comments</h2>
        {comments.length ? (
          <ul>
            {comments.map((c) => (
              <li>
                on <a href={sitePaths.comment(c.paperId, c.id)}>{c.paperTitle}</a>: {c.body.length > 200 ? `${c.body.slice(0, 200)}…` : c.body}
              </li>
            ))}
          </ul>
        ) : (
          <p>No comments yet.</p>
        )}
      </section>
      {collections.length > 0 && (
        <section aria-labelledby="collections-heading">
          <h2 id="collections-heading">Public collections</h2>
          <ul>
            {collections.map((c) => (
              <li>
                <a href={sitePaths.collection(c.id)}>{c.name}</a> ({c.paperCount})
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
  // Your own profile is one of your account's pages; anyone else's is a plain page.
  return own ? (
    <AccountPage title={profile.username} user={props.viewer!} csrfToken={props.csrfToken} section="profile">
      {content}
    </AccountPage>
  ) : (
    <CommunityPage title={profile.username} user={props.viewer} csrfToken={props.csrfToken}>
      {content}
    </CommunityPage>
  );
}

/** One of a profile's lists of papers as cards, without the shared card forms (the page renders them once for both lists). */
function ProfileCards(props: { papers: PaperWithStats[]; cards: CardViewer; label: string; idPrefix: string; empty: string }) {
  if (!props.papers.length) return <p>{props.empty}</p>;
  return <FeedList items={props.papers.map((paper) => ({ paper }))} viewer={props.cards} forms={false} label={props.label} idPrefix={props.idPrefix} />;
}
