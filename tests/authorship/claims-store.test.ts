import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { AuthorClaimService, type ClaimDecidedEvent } from '../../src/services/author-claims.ts';
import { OrganisationService } from '../../src/services/organisations.ts';
import { ServiceError } from '../../src/services/errors.ts';
import type { User } from '../../src/domain/community.ts';
import { parseListRecords } from '../../src/ingest/oai/parse.ts';
import { authorUrl, nameKey } from '../../src/domain/authorship.ts';
import { orgName, orgSlug } from '../../src/domain/organisation.ts';

const is = (status: number) => (e: unknown) => e instanceof ServiceError && e.status === status;

forEachStore('author claims and organisations: services over the store', (ctx) => {
  const paper = makePaper({ authors: ['Marie Skłodowska-Curie', 'Pierre Curie'] });
  const events: ClaimDecidedEvent[] = [];
  let claims: AuthorClaimService;
  let orgs: OrganisationService;
  let mod: User;
  let reader: User;
  let other: User;
  before(async () => {
    await ctx.store.papers.upsertMany([paper]);
    const mk = async (username: string) => ctx.store.users.create({ username, email: `${username}@example.org`, passwordHash: 'x', emailVerified: true });
    mod = await mk('mod');
    await ctx.store.users.setRole(mod.id, 'admin');
    mod = (await ctx.store.users.byUsername('mod'))!;
    reader = await mk('marie');
    other = await mk('imposter');
    claims = new AuthorClaimService(ctx.store, { onClaimDecided: (e) => void events.push(e) });
    orgs = new OrganisationService(ctx.store);
  });

  test('one pending claim per reader and paper (the store refuses a second), names matched folded, decisions once, the hook told once', async () => {
    const c = await claims.claim(reader, paper.id, { authorName: 'marie SKLODOWSKA-curie', evidence: ' ORCID 0000 ' });
    assert.deepEqual([c.authorName, c.evidence, c.status, c.username], ['Marie Skłodowska-Curie', 'ORCID 0000', 'pending', 'marie']);
    assert.equal(await ctx.store.authorClaims.create({ userId: reader.id, paperId: paper.id, authorName: 'Pierre Curie', authorKey: nameKey('Pierre Curie'), evidence: null }), null, 'the partial unique index');
    await assert.rejects(claims.claim(reader, paper.id, { authorName: 'Pierre Curie' }), is(409));
    const rival = await claims.claim(other, paper.id, { authorName: 'Marie Skłodowska-Curie' });

    await assert.rejects(claims.decide(reader, c.id, 'approve'), is(403), 'a reader cannot decide, even their own claim');
    await assert.rejects(claims.decide(other, rival.id, 'approve'), is(403));
    await assert.rejects(claims.queue(reader), is(403));
    assert.equal(events.length, 0);
    assert.equal((await claims.queue(mod)).length, 2);

    const approved = await claims.decide(mod, c.id, 'approve', 'checked the ORCID');
    assert.equal(approved.status, 'approved');
    assert.deepEqual(events, [{ claimId: c.id, userId: reader.id, paperId: paper.id, authorName: 'Marie Skłodowska-Curie', decision: 'approve', decidedBy: 'mod', note: 'checked the ORCID' }]);
    await assert.rejects(claims.decide(mod, c.id, 'refuse'), is(409));
    await assert.rejects(claims.decide(mod, rival.id, 'approve'), is(409), 'the name is verified as someone else');
    assert.equal(events.length, 1, 'failed decisions tell nobody');
    const q = await claims.queue(mod);
    assert.deepEqual(q[0].conflicts, ['marie'], 'the queue shows the clash');
    await claims.decide(mod, rival.id, 'refuse');
    assert.equal(events.at(-1)!.decision, 'refuse');
    const audit = await ctx.store.auditLog.recent(5);
    assert.deepEqual(audit.slice(0, 2).map((a) => a.action), ['claim.refuse', 'claim.approve']);

    assert.deepEqual((await claims.paperAuthorship(paper.id, reader)).verified, [{ authorName: 'Marie Skłodowska-Curie', userId: reader.id, username: 'marie' }]);
    assert.equal((await claims.paperAuthorship(paper.id, other)).viewerIsAuthor, false);
    assert.deepEqual(await claims.claimedPapers(reader.id), [{ id: paper.id, title: paper.title, authorName: 'Marie Skłodowska-Curie' }]);
    assert.deepEqual((await claims.nameVariants('Marie Sklodowska-Curie')).users.map((u) => u.username), ['marie']);
  });

  test('links: only a verified author, https only, stored apart and cleared by an empty value', async () => {
    await assert.rejects(claims.setLinks(other, paper.id, { code: 'https://github.com/x/y' }), is(403));
    await assert.rejects(claims.setLinks(reader, paper.id, { code: 'ftp://github.com/x' }), is(400));
    await assert.rejects(claims.setLinks(reader, '2501.99999', { code: 'https://github.com/x' }), is(404));
    const set = await claims.setLinks(reader, paper.id, { code: 'https://github.com/curie/radium', project: 'https://radium.example.org' });
    assert.deepEqual([set.code, set.project, set.setBy], ['https://github.com/curie/radium', 'https://radium.example.org/', 'marie']);
    assert.deepEqual((await claims.setLinks(reader, paper.id, { project: '' })).project, null);
    assert.equal((await claims.links(paper.id)).code, 'https://github.com/curie/radium', 'a field left out is unchanged');
    assert.deepEqual((await ctx.store.papers.get(paper.id))!.links.code, paper.links.code, "the paper's own links are untouched");
  });

  test('organisations: the harvest replaces links and keeps a declared status; only moderators decide', async () => {
    await ctx.store.organisations.setHarvested([{ paperId: paper.id, affiliations: [{ author: 'Pierre Curie', name: 'ESPCI Paris', slug: 'espci-paris' }, { author: 'Pierre Curie', name: 'ESPCI  Paris', slug: 'espci-paris' }] }]);
    assert.deepEqual(await orgs.affiliationsOf(paper.id), [{ author: 'Pierre Curie', slug: 'espci-paris', name: 'ESPCI Paris' }]);
    const { org } = await orgs.declare(reader, { name: 'Sorbonne Université' });
    assert.equal(org.status, 'pending');
    await ctx.store.organisations.setHarvested([{ paperId: paper.id, affiliations: [{ author: 'Marie Skłodowska-Curie', name: 'Sorbonne Universite', slug: 'sorbonne-universite' }] }]);
    assert.deepEqual(await orgs.affiliationsOf(paper.id), [], 'replaced; the pending one is not shown');
    assert.equal((await ctx.store.organisations.bySlug('sorbonne-universite'))!.status, 'pending', 'the harvest does not list a declared organisation');
    await assert.rejects(orgs.decide(reader, org.id, 'list'), is(403));
    await assert.rejects(orgs.pending(reader), is(403));
    await assert.rejects(orgs.listedBySlug('sorbonne-universite'), is(404));
    await orgs.decide(mod, org.id, 'list');
    assert.deepEqual((await orgs.affiliationsOf(paper.id)).map((a) => a.slug), ['sorbonne-universite']);
    assert.deepEqual((await ctx.store.organisations.slugsOfPapers([paper.id])).get(paper.id), ['sorbonne-universite']);
    assert.equal((await ctx.store.auditLog.recent(1))[0].action, 'org.list');
    await assert.rejects(orgs.declare(reader, { name: 'x', website: 'http://x.example.org' }), is(400));
  });
});

test('parsing: each author keeps their <affiliation>s in the arXiv format; arXivRaw carries none', () => {
  const xml = `<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2025-11-20T00:00:00Z</responseDate><ListRecords>
<record><header><identifier>oai:arXiv.org:2511.00001</identifier><datestamp>2025-11-19</datestamp></header><metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>2511.00001</id><created>2025-11-18</created>
<authors><author><keyname>Ørsted</keyname><forenames>H. C.</forenames><affiliation>Kavli Institute for the Physics and
  Mathematics of the Universe</affiliation><affiliation>on behalf of Planck Collaboration</affiliation></author><author><keyname>:</keyname></author><author><keyname>Noether</keyname><forenames>Emmy</forenames></author></authors>
<title>T</title><categories>cs.LG</categories><abstract>A</abstract></arXiv></metadata></record>
<record><header><identifier>oai:arXiv.org:2511.00002</identifier><datestamp>2025-11-19</datestamp></header><metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>2511.00002</id><authors>A B and C D</authors><title>T</title><categories>cs.LG</categories><version version="v1"><date>Mon, 17 Nov 2025 10:00:00 GMT</date></version></arXivRaw></metadata></record>
</ListRecords></OAI-PMH>`;
  const page = parseListRecords(xml);
  assert.deepEqual(page.records[0].affiliations, [
    { author: 'H. C. Ørsted', name: 'Kavli Institute for the Physics and Mathematics of the Universe' },
    { author: 'H. C. Ørsted', name: 'on behalf of Planck Collaboration' },
  ]);
  assert.deepEqual(page.records[0].paper!.authors, ['H. C. Ørsted', 'Emmy Noether']);
  assert.equal(page.records[1].affiliations, null);
});

test('names, slugs and author URLs', () => {
  assert.equal(orgName('  on behalf of the Planck   Collaboration '), 'Planck Collaboration');
  assert.equal(orgName(''), null);
  assert.equal(orgName('x'.repeat(201)), null);
  assert.equal(orgSlug('The Université de Montréal'), 'universite-de-montreal');
  assert.equal(orgSlug('Łódź University of Technology'), 'lodz-university-of-technology');
  assert.equal(orgSlug('AT&T Labs'), 'at-and-t-labs');
  assert.equal(orgSlug('<script>'), 'script');
  assert.equal(orgSlug('!!!'), null);
  assert.ok(orgSlug('a '.repeat(100))!.length <= 80);
  assert.equal(nameKey('  José   GARCÍA '), 'jose garcia');
  assert.equal(authorUrl('https://github.com/a/b'), 'https://github.com/a/b');
  for (const bad of ['http://github.com/a', 'javascript:alert(1)', 'https://localhost/x', 'https://u:p@github.com/', 'https://git hub.com/', `https://github.com/${'a'.repeat(490)}`, 'https://github.com/\u0000', 42, null]) assert.equal(authorUrl(bad), null, String(bad));
});
