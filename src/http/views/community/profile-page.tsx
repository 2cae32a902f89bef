import type { User } from '../../../domain/community.ts';
import type { Profile } from '../../../services/profiles.ts';
import { PaperList } from './paper-list.tsx';
import { AccountPage, CommunityPage } from './page.tsx';
import { ProfileAuthorship } from '../authorship-pages.tsx';
import type { Organisation } from '../../../domain/organisation.ts';
import { sitePaths } from '../../../domain/site-paths.ts';

export type ProfileData = Profile;

export function ProfilePage(props: { viewer: User | null; csrfToken: string; data: ProfileData; authorship?: { papers: Array<{ id: string; title: string; authorName: string }>; orgs: Organisation[] } }) {
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
      <section aria-labelledby="upvotes-heading">
        <h2 id="upvotes-heading">Upvotes</h2>
        <PaperList papers={upvoted} empty="No upvotes yet." />
      </section>
      <section aria-labelledby="submissions-heading">
        <h2 id="submissions-heading">Submissions</h2>
        <PaperList papers={submitted.map((s) => s.paper)} empty="No submissions yet." />
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
