import type { AuthorClaim, QueuedClaim } from '../../domain/authorship.ts';
import type { User } from '../../domain/community.ts';
import type { Organisation, OrgSummary, PaperAffiliation, PendingOrg } from '../../domain/organisation.ts';
import type { FeedItem, PaperWithStats } from '../../domain/paper.ts';
import type { PaperAuthorship } from '../../services/author-claims.ts';
import { authorUrl as authorPageUrl, FeedList, paperUrl, type CardViewer } from './components.tsx';
import { FormError, PostForm } from './community/forms.tsx';
import { DecisionForm, RowTable } from './community/row-table.tsx';
import { AccountPage, CommunityPage } from './community/page.tsx';
import { FollowButton, type FollowViewer } from './follow-button.tsx';
import { authorUrl, preferAuthorLinks } from '../../domain/authorship.ts';
import { sitePaths } from '../../domain/site-paths.ts';

const profileUrl = sitePaths.user;
export const orgUrl = sitePaths.org;
const claimUrl = sitePaths.claim;

/**
 * On a paper's page: each listed author with the verified account behind the name (linked to its
 * profile) or, for a signed-in reader, a "This is me" button to claim it; the authors'
 * affiliations (linked to the organisations' pages); and, for a verified author, the links form.
 */
export function PaperAuthorshipPanel({ paper, authorship, affiliations, viewer, csrfToken }: { paper: PaperWithStats; authorship: PaperAuthorship; affiliations: PaperAffiliation[]; viewer: User | null; csrfToken: string }) {
  const verifiedBy = new Map(authorship.verified.map((v) => [v.authorName, v.username]));
  const orgsOf = new Map<string, PaperAffiliation[]>();
  for (const a of affiliations) orgsOf.set(a.author, [...(orgsOf.get(a.author) ?? []), a]);
  const shown = paper.authors.slice(0, 50);
  const links = authorship.links;
  return (
    <section class="authorship" aria-labelledby="authors-title">
      <h2 id="authors-title">Authors</h2>
      <ul class="author-claims">
        {shown.map((name, i) => {
          const who = verifiedBy.get(name);
          const orgs = orgsOf.get(name) ?? [];
          return (
            <li>
              <a href={authorPageUrl(name)}>{name}</a>
              {orgs.length > 0 && (
                <span class="affiliations">
                  {' '}
                  (
                  {orgs.map((o, j) => (
                    <>
                      {j > 0 && '; '}
                      <a href={orgUrl(o.slug)}>{o.name}</a>
                    </>
                  ))}
                  )
                </span>
              )}
              {who ? (
                <span class="verified">
                  {' '}
                  · <span aria-hidden="true">✓</span> verified: <a href={profileUrl(who)}>{who}</a>
                </span>
              ) : viewer && !authorship.viewerIsAuthor && !authorship.viewerPending ? (
                <>
                  {' '}
                  <a class="button quiet small" href={claimUrl(paper.id, i)}>
                    This is me<span class="vh"> ({name})</span>
                  </a>
                </>
              ) : null}
            </li>
          );
        })}
      </ul>
      {authorship.viewerPending && <p class="hint">Your claim to be {authorship.viewerPending.authorName} is waiting for a moderator.</p>}
      {!viewer && (
        <p class="hint">
          One of these authors? <a href={sitePaths.login(paperUrl(paper.id))}>Log in</a> to claim the paper.
        </p>
      )}
      {authorship.viewerIsAuthor && (
        <details class="author-links">
          <summary>Set this paper's code and project links</summary>
          <PostForm action={sitePaths.forms.authorLinks()} csrfToken={csrfToken}>
            <input type="hidden" name="paper" value={paper.id} />
            <label>
              Code (https://…) <input type="url" name="code" value={links.code ?? ''} maxlength={500} placeholder="https://github.com/…" />
            </label>
            <label>
              Project page (https://…) <input type="url" name="project" value={links.project ?? ''} maxlength={500} />
            </label>
            <button type="submit">Save links</button> <span class="hint">Leave a field empty to remove its link.</span>
          </PostForm>
        </details>
      )}
    </section>
  );
}

/** The code and project links a paper shows: the author-set ones win over harvested or discovered ones. */
export function displayedLinks(paper: PaperWithStats, authorSet: { code: string | null; project: string | null } | undefined): { code: string[]; project: string[] } {
  return preferAuthorLinks(paper.links, authorSet);
}

export function ClaimPage(props: { user: User; csrfToken: string; paper: PaperWithStats; chosen: number | null; claims: AuthorClaim[]; error?: string; evidence?: string }) {
  const { paper } = props;
  const pending = props.claims.find((c) => c.status === 'pending');
  return (
    <CommunityPage title="Claim authorship" user={props.user} csrfToken={props.csrfToken}>
      <h1>Claim authorship</h1>
      <p>
        Of <a href={paperUrl(paper.id)}>{paper.title}</a>. A moderator checks each claim; once approved, your name on the paper links to your profile, the paper is listed there, and you can set its code and
        project links.
      </p>
      <FormError message={props.error} />
      {props.claims.length > 0 && (
        <ul>
          {props.claims.map((c) => (
            <li>
              Your claim to be {c.authorName}: {c.status}
              {c.decisionNote && (
                <>
                  {' '}
                  (<q>{c.decisionNote}</q>)
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {pending ? (
        <p>Your claim is waiting for a moderator.</p>
      ) : (
        <PostForm action={sitePaths.claim()} csrfToken={props.csrfToken}>
          <input type="hidden" name="paper" value={paper.id} />
          <fieldset>
            <legend>Which listed name is yours?</legend>
            {paper.authors.slice(0, 200).map((a, i) => (
              <label class="choice">
                <input type="radio" name="author" value={String(i)} checked={props.chosen === i} required /> {a}
              </label>
            ))}
          </fieldset>
          <label>
            Evidence (optional, at most 1000 characters): a homepage, an ORCID, your institutional address
            <textarea name="evidence" maxlength={1000} rows={4}>
              {props.evidence ?? ''}
            </textarea>
          </label>
          <button type="submit">Send the claim</button>
        </PostForm>
      )}
    </CommunityPage>
  );
}

export function ClaimQueuePage(props: { user: User; csrfToken: string; claims: QueuedClaim[]; approved: Array<AuthorClaim & { paperTitle: string }>; error?: string }) {
  const { csrfToken } = props;
  return (
    <AccountPage title="Author claims" user={props.user} csrfToken={csrfToken} section="claims">
      <h1>Author claims</h1>
      <p>
        <a href={sitePaths.admin()}>Moderation</a> · {props.claims.length} pending {props.claims.length === 1 ? 'claim' : 'claims'}
      </p>
      <FormError message={props.error} />
      <RowTable
        columns={['Paper', 'Claimed name', 'By', 'Evidence', 'Decision']}
        rows={props.claims}
        empty="No pending claims."
        cells={(c) => [
          <a href={paperUrl(c.paperId)}>{c.paperTitle}</a>,
          <>
            {c.authorName}
            {c.conflicts.length > 0 && <strong> · already verified as {c.conflicts.join(', ')}</strong>}
          </>,
          <a href={profileUrl(c.username)}>{c.username}</a>,
          c.evidence ? <q>{c.evidence}</q> : '—',
          <DecisionForm action={sitePaths.forms.decideClaim(c.id)} csrfToken={csrfToken} about={`${c.username} as ${c.authorName}`} choices={[{ value: 'approve', label: 'Approve' }, { value: 'refuse', label: 'Refuse' }]}>
            <label>
              Note <input name="note" maxlength={500} />
            </label>
          </DecisionForm>,
        ]}
      />
      <h2 id="approved">Verified authors</h2>
      <p class="hint">Revoking removes the verified mark and the code and project links that account set; the reader is told.</p>
      <RowTable
        columns={['Paper', 'Verified name', 'Account', 'Approved', 'Revoke']}
        rows={props.approved}
        empty="No verified authors yet."
        cells={(c) => [
          <a href={paperUrl(c.paperId)}>{c.paperTitle}</a>,
          c.authorName,
          <a href={profileUrl(c.username)}>{c.username}</a>,
          <>
            {c.decidedAt?.slice(0, 10) ?? '—'}
            {c.decidedBy && <> by {c.decidedBy}</>}
          </>,
          <PostForm action={sitePaths.forms.revokeClaim(c.id)} csrfToken={csrfToken} class="inline">
            <label>
              Why <input name="note" maxlength={500} />
            </label>{' '}
            <button type="submit" class="quiet">
              Revoke<span class="vh"> {c.username} as {c.authorName}</span>
            </button>
          </PostForm>,
        ]}
      />
    </AccountPage>
  );
}

export function OrgQueuePage(props: { user: User; csrfToken: string; orgs: PendingOrg[]; error?: string }) {
  const { csrfToken } = props;
  return (
    <AccountPage title="New organisations" user={props.user} csrfToken={csrfToken} section="org-queue">
      <h1>New organisations</h1>
      <p>
        <a href={sitePaths.admin()}>Moderation</a> · {props.orgs.length} waiting. Declared organisations are public only once listed. Websites are shown as text here and never fetched.
      </p>
      <FormError message={props.error} />
      <RowTable
        columns={['Name', 'Website', 'Declared by', 'Decision']}
        rows={props.orgs}
        empty="Nothing waiting."
        cells={(o) => [
          o.name,
          o.website ? <code>{o.website}</code> : '—',
          o.declaredBy ? <a href={profileUrl(o.declaredBy)}>{o.declaredBy}</a> : '—',
          <DecisionForm action={sitePaths.forms.decideOrg(o.id)} csrfToken={csrfToken} about={o.name} choices={[{ value: 'list', label: 'List' }, { value: 'refuse', label: 'Refuse' }]} />,
        ]}
      />
    </AccountPage>
  );
}

export function MyOrgsPage(props: { user: User; csrfToken: string; orgs: Organisation[]; error?: string; name?: string; website?: string }) {
  const { csrfToken } = props;
  return (
    <AccountPage title="Your organisations" user={props.user} csrfToken={csrfToken} section="orgs">
      <h1>Your organisations</h1>
      <p>
        Organisations you belong to are shown on your profile, and the papers you are a verified author of are listed on their pages. A new organisation appears once a moderator lists it.{' '}
        <a href={sitePaths.orgs()}>All organisations</a>
      </p>
      <FormError message={props.error} />
      {props.orgs.length > 0 && (
        <ul>
          {props.orgs.map((o) => (
            <li>
              {o.status === 'listed' ? <a href={orgUrl(o.slug)}>{o.name}</a> : o.name}
              {o.status === 'pending' && ' (waiting for a moderator)'}
              {o.status === 'refused' && ' (not listed by the moderators)'}{' '}
              <PostForm action={sitePaths.forms.leaveOrg(o.slug)} csrfToken={csrfToken} class="inline">
                <button type="submit" class="quiet small">
                  Leave<span class="vh"> {o.name}</span>
                </button>
              </PostForm>
            </li>
          ))}
        </ul>
      )}
      <PostForm action={sitePaths.settingsOrgs()} csrfToken={csrfToken}>
        <h2>Add an organisation</h2>
        <label>
          Name <input name="name" required maxlength={200} value={props.name ?? ''} />
        </label>
        <label>
          Website (optional, https://) <input type="url" name="website" maxlength={500} value={props.website ?? ''} />
        </label>
        <button type="submit">Add</button>
      </PostForm>
    </AccountPage>
  );
}

/** Day headings over a list of feed items (newest day first, as they come). */
function byDay(items: FeedItem[]): Array<[string, FeedItem[]]> {
  const days: Array<[string, FeedItem[]]> = [];
  for (const i of items) {
    const last = days.at(-1);
    if (last && last[0] === i.entry.day) last[1].push(i);
    else days.push([i.entry.day, [i]]);
  }
  return days;
}

export function OrgPage(props: { viewer: User | null; csrfToken: string; org: Organisation; items: FeedItem[]; members: string[]; page: number; hasMore: boolean; cards: CardViewer; follow: FollowViewer }) {
  const { org } = props;
  const website = authorUrl(org.website);
  return (
    <CommunityPage title={org.name} user={props.viewer} csrfToken={props.csrfToken}>
      <div class="page-head">
        <h1>{org.name}</h1>
        <FollowButton viewer={props.follow} kind="org" value={org.slug} label={org.name} />
      </div>
      <p class="tagline">
        Papers on the feed whose authors list this organisation on arXiv, or that its members are verified authors of; newest day first.
        {website && (
          <>
            {' '}
            Website: <a href={website} rel="nofollow ugc noopener">{new URL(website).hostname}</a>.
          </>
        )}{' '}
        <a href={sitePaths.orgs()}>All organisations</a>
      </p>
      {props.members.length > 0 && (
        <p>
          Members on Paperboy:{' '}
          {props.members.map((m, i) => (
            <>
              {i > 0 && ', '}
              <a href={profileUrl(m)}>{m}</a>
            </>
          ))}
        </p>
      )}
      {props.items.length === 0 ? (
        <p class="empty">No papers on the feed yet.</p>
      ) : (
        byDay(props.items).map(([day, items]) => (
          <section aria-label={day}>
            <h2>
              <a href={sitePaths.day(day)}>{day}</a>
            </h2>
            <FeedList items={items} viewer={props.cards} headingLevel={2} />
          </section>
        ))
      )}
      <nav aria-label="Pages">
        <ul class="pager">
          <li>{props.page > 1 ? <a href={`?page=${props.page - 1}`}>← Newer</a> : <span>First page</span>}</li>
          <li>{props.hasMore ? <a href={`?page=${props.page + 1}`}>Older →</a> : <span>Last page</span>}</li>
        </ul>
      </nav>
    </CommunityPage>
  );
}

export function OrgIndexPage(props: { viewer: User | null; csrfToken: string; orgs: OrgSummary[]; page: number; hasMore: boolean; q: string }) {
  const qs = (page: number) => `?page=${page}${props.q ? `&q=${encodeURIComponent(props.q)}` : ''}`;
  return (
    <CommunityPage title="Organisations" user={props.viewer} csrfToken={props.csrfToken}>
      <h1>Organisations</h1>
      <p class="tagline">
        From the affiliations authors give on arXiv, and those readers declared and moderators listed. {props.viewer ? <a href={sitePaths.settingsOrgs()}>Add yours</a> : <a href={sitePaths.login(sitePaths.settingsOrgs())}>Log in to add yours</a>}.
      </p>
      <form method="get" action={sitePaths.orgs()} role="search">
        <label>
          Name contains <input name="q" value={props.q} maxlength={100} />
        </label>{' '}
        <button type="submit">Find</button>
      </form>
      {props.orgs.length === 0 ? (
        <p class="empty">No organisations{props.q ? ` matching “${props.q}”` : ' yet'}.</p>
      ) : (
        <ul class="org-list">
          {props.orgs.map((o) => (
            <li>
              <a href={orgUrl(o.slug)}>{o.name}</a> · {o.papers} {o.papers === 1 ? 'paper' : 'papers'}
            </li>
          ))}
        </ul>
      )}
      <nav aria-label="Pages">
        <ul class="pager">
          <li>{props.page > 1 ? <a href={qs(props.page - 1)}>← Previous</a> : <span>First page</span>}</li>
          <li>{props.hasMore ? <a href={qs(props.page + 1)}>Next →</a> : <span>Last page</span>}</li>
        </ul>
      </nav>
    </CommunityPage>
  );
}

/** On a profile: the papers the account is a verified author of, and its listed organisations. */
export function ProfileAuthorship({ papers, orgs }: { papers: Array<{ id: string; title: string; authorName: string }>; orgs: Organisation[] }) {
  return (
    <>
      <section aria-labelledby="authored-heading">
        <h2 id="authored-heading">Papers as a verified author</h2>
        {papers.length ? (
          <ul>
            {papers.map((p) => (
              <li>
                <a href={paperUrl(p.id)}>{p.title}</a> <span class="hint">as {p.authorName}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p>None yet. Claim one with “This is me” beside your name on a paper's page.</p>
        )}
      </section>
      {orgs.length > 0 && (
        <section aria-labelledby="orgs-heading">
          <h2 id="orgs-heading">Organisations</h2>
          <ul>
            {orgs.map((o) => (
              <li>
                <a href={orgUrl(o.slug)}>{o.name}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
