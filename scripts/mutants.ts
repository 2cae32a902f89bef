/**
 * Mutation check of the security and integrity tests: weakens one defence at a time (a text
 * replacement in one source file), runs the tests that should notice, restores the file, and
 * reports each mutant as caught (a test failed) or survived (every test still passed).
 *
 *   npx tsx scripts/mutants.ts                 every mutant
 *   npx tsx scripts/mutants.ts csrf session    only mutants whose name contains one of the words
 *   npx tsx scripts/mutants.ts --list          the list
 *   npx tsx scripts/mutants.ts --check         that every mutant still matches its file (runs nothing)
 *
 * Exits 1 when a mutant survives or its search text is no longer in the file (the list must
 * follow the code), 0 when every mutant is caught. The original file is restored in `finally`,
 * on Ctrl-C / SIGTERM, and (from the `.mutant-orig` copy) at the next start after a hard kill.
 *
 * To add a defence: one entry with the file, a search text that occurs exactly once, its
 * weakened replacement, and the test files that must fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

interface Mutant {
  name: string;
  /** What the weakening means, for the report. */
  what: string;
  file: string;
  search: string;
  replace: string;
  tests: string[];
}

const DEFENCES = 'tests/community/defences.test.ts';
const ACCOUNTS = 'tests/community/trust-accounts.test.ts';
const TOKENS = 'tests/community/trust-tokens.test.ts';
const CLAIMS_HTTP = 'tests/authorship/claims-http.test.ts';
const CLAIMS_STORE = 'tests/authorship/claims-store.test.ts';
const ORGS_HTTP = 'tests/authorship/organisations-http.test.ts';
const NOTIFY = 'tests/notifications/notifications.test.ts';
const NOTIFY_MAIL = 'tests/notifications/mail.test.ts';

export const MUTANTS: Mutant[] = [
  {
    name: 'word-table-last-letter-unchecked',
    what: "the word table's letter-by-letter comparison stops before a word's last letter: two words of one hash and length differing only there are taken for one",
    file: 'src/search/word-table.ts',
    search: 'for (let k = 0; k < len; k++) if (w.charCodeAt(k) !== lower.charCodeAt(start + k)) return false;',
    replace: 'for (let k = 0; k < len - 1; k++) if (w.charCodeAt(k) !== lower.charCodeAt(start + k)) return false;',
    tests: ['tests/search/word-table.test.ts'],
  },
  {
    name: 'ann-load-on-request-thread',
    what: "a saved ANN graph is read by usearch on the request thread again (209–243 ms of CPU at once at 75k × 256)",
    file: 'src/search/vector-index.ts',
    search: 'this.count = (await this.thread.load(this.file)).size;',
    replace: 'new usearch.Index(VectorIndex.options(this.dimensions)).load(this.file);\n      this.count = (await this.thread.load(this.file)).size;',
    tests: ['tests/search/ann-load-event-loop.test.ts'],
  },
  {
    name: 'ann-load-waited-for',
    what: "the request thread blocks on the graph's thread until a saved ANN graph is loaded (no CPU, every request held)",
    file: 'src/search/vector-index-thread.ts',
    search: "this.loading++;\n    try {\n      return await this.request({ op: 'load', file, count });",
    replace: "try {\n      return this.call({ op: 'load', file, count });",
    tests: ['tests/search/ann-load-event-loop.test.ts'],
  },
  {
    name: 'ann-used-while-loading',
    what: 'a synchronous call on an ANN index whose graph is still loading waits for the load on the request thread instead of failing',
    file: 'src/search/vector-index-thread.ts',
    search: 'if (this.loading > 0) throw',
    replace: 'if (this.loading < 0) throw',
    tests: ['tests/search/ann-load-event-loop.test.ts'],
  },
  {
    name: 'for-you-vectors-unpacked',
    what: "a loaded For-you file's vectors are made at load, two views and an object per paper, instead of kept packed",
    file: 'src/discovery/feature-index.ts',
    search: 'index.rows.set(parts.ids[i], packed ? i : (v as SparseVector[])[i]);',
    replace: 'index.rows.set(parts.ids[i], packed ? { idx: packed.idx.subarray(packed.offsets[i], packed.offsets[i + 1]), val: packed.val.subarray(packed.offsets[i], packed.offsets[i + 1]) } : (v as SparseVector[])[i]);',
    tests: ['tests/discovery/for-you-load-heap.test.ts'],
  },
  {
    name: 'for-you-lists-grown',
    what: "a loaded For-you file's author and category lists are grown one name at a time (17 slots each) instead of made at their length",
    file: 'src/discovery/for-you-features-file.ts',
    search: 'const out = new Array<string>(n);',
    replace: 'const out: string[] = [];',
    tests: ['tests/discovery/for-you-load-heap.test.ts'],
  },
  {
    name: 'for-you-category-lists-unshared',
    what: "every paper of a loaded For-you file gets its own category list, however many papers have the same",
    file: 'src/discovery/for-you-features-file.ts',
    search: '    if (known) return known as string[];\n',
    replace: '',
    tests: ['tests/discovery/for-you-load-heap.test.ts'],
  },
  {
    name: 'enrich-hub-id-unchecked',
    what: 'hub artifact ids are stored without the owner/name check',
    file: 'src/services/enrichment/hub-artifacts-step.ts',
    search: "if (!id || !HUB_ID.test(id) || id.includes('..') || o.private === true) return null;",
    replace: 'if (!id) return null;',
    tests: ['tests/enrichment/source-steps.test.ts', 'tests/http/enrichment-pages.test.ts'],
  },
  {
    name: 'enrich-thumbnail-blob-shared-dropped',
    what: "a re-rendered paper's old thumbnail bytes are deleted though another paper still shows them",
    file: 'src/store/enrichment.ts',
    search: ".where((eb) => eb.not(eb.exists(eb.selectFrom('paper_thumbnails as l').select('l.hash').whereRef('l.hash', '=', 'thumbnail_blobs.hash'))))",
    replace: '',
    tests: ['tests/enrichment/shared-thumbnails.test.ts'],
  },
  {
    name: 'enrich-thumbnail-hidden-served',
    what: "a thumbnail is served whatever its papers' visibility",
    file: 'src/store/enrichment.ts',
    search: ".select(['t.mime', 'b.data'])\n      .where('t.hash', '=', hash)\n      .where(visiblePaper('p'))",
    replace: ".select(['t.mime', 'b.data'])\n      .where('t.hash', '=', hash)",
    tests: ['tests/enrichment/thumbnails-http.test.ts'],
  },
  {
    name: 'enrich-thumbnail-jpeg-cached-past-hiding',
    what: "a thumbnail's JPEG is served from the conversion cache without asking whether its paper is still visible",
    file: 'src/services/enrichment/service.ts',
    search: 'const image = await this.thumbnail(hash);\n    return image ? this.jpegs.of(hash, image.data) : null;',
    replace: 'const cached = (this.jpegs as unknown as { entries: Map<string, Promise<Uint8Array>> }).entries.get(hash);\n    if (cached) return cached;\n    const image = await this.thumbnail(hash);\n    return image ? this.jpegs.of(hash, image.data) : null;',
    tests: ['tests/enrichment/thumbnails-http.test.ts'],
  },
  {
    name: 'enrich-hub-next-offsite',
    what: "the hub's next-page Link is followed to any host",
    file: 'src/services/enrichment/hub-artifacts-step.ts',
    search: 'return u.origin === hub.origin ? u.href : null;',
    replace: 'return u.href;',
    tests: ['tests/enrichment/source-steps.test.ts'],
  },
  {
    name: 'enrich-llm-cap-unshared',
    what: 'the daily LLM call counter takes a call even past the cap',
    file: 'src/store/enrichment.ts',
    search: ".onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ used: eb('llm_calls.used', '+', 1) })).where('llm_calls.used', '<', cap))",
    replace: ".onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ used: eb('llm_calls.used', '+', 1) })))",
    tests: ['tests/enrichment/source-steps.test.ts'],
  },
  {
    name: 'enrich-llm-cap-timeout-refunded',
    what: 'a call the LLM may have done (a timeout) is given back to the daily cap',
    file: 'src/services/enrichment/summary-step.ts',
    search: 'if (neverConnected(err)) await this.store.enrichment.giveBackLlmCall(day);',
    replace: 'await this.store.enrichment.giveBackLlmCall(day);',
    tests: ['tests/enrichment/source-steps.test.ts'],
  },
  {
    name: 'enrich-feed-tldr-unescaped',
    what: "an LLM's TL;DR goes into an RSS/Atom item's HTML without HTML escaping",
    file: 'src/http/feeds/item-html.ts',
    search: 'if (x.aiSummary) parts.push(`<p><strong>AI summary:</strong> ${htmlText(x.aiSummary)}</p>`);',
    replace: 'if (x.aiSummary) parts.push(`<p><strong>AI summary:</strong> ${x.aiSummary}</p>`);',
    tests: ['tests/http/enriched-feeds.test.ts'],
  },
  {
    name: 'enrich-lists-ignore-author-links',
    what: "lists (cards, API list items) show the found code link and its stars over the one a verified author set",
    file: 'src/domain/enrichment.ts',
    search: 'const shown = preferAuthorLinks({ code: found, project: p.links.project }, e.authorLinks);',
    replace: 'const shown = preferAuthorLinks({ code: found, project: p.links.project }, null);',
    tests: ['tests/http/enrichment-lists.test.ts', 'tests/authorship/author-links-api.test.ts'],
  },
  {
    name: 'enrich-tldr-length-unchecked',
    what: 'an over-long LLM answer is stored as the TL;DR',
    file: 'src/domain/tldr.ts',
    search: 'if (tldr.length > MAX_TLDR_CHARS) return',
    replace: 'if (tldr.length < 0) return',
    tests: ['tests/domain/tldr.test.ts', 'tests/enrichment/source-steps.test.ts'],
  },
  {
    name: 'enrich-prompt-uncapped',
    what: 'the whole abstract goes into the LLM prompt',
    file: 'src/domain/tldr.ts',
    search: 'Abstract: ${capText(abstract, maxAbstractChars)}',
    replace: 'Abstract: ${abstract}',
    tests: ['tests/domain/tldr.test.ts', 'tests/enrichment/source-steps.test.ts'],
  },
  {
    name: 'enrich-github-no-etag',
    what: 'the daily stars refresh is not conditional (no If-None-Match)',
    file: 'src/services/enrichment/stars-step.ts',
    search: "if (known?.status === 'ok' && known.etag) headers['if-none-match'] = known.etag;",
    replace: '',
    tests: ['tests/enrichment/source-steps.test.ts'],
  },
  {
    name: 'enrich-github-ignores-limit',
    what: 'GitHub is asked again while its rate limit says wait',
    file: 'src/services/enrichment/stars-step.ts',
    search: 'if (this.blockedUntil > now) return',
    replace: 'if (this.blockedUntil < 0) return',
    tests: ['tests/enrichment/source-steps.test.ts'],
  },
  {
    name: 'csrf-compares-lengths',
    what: 'the CSRF token check compares only lengths',
    file: 'src/http/middleware/csrf.ts',
    search: 'return x.length === y.length && timingSafeEqual(x, y);',
    replace: 'return x.length === y.length;',
    tests: [DEFENCES],
  },
  {
    name: 'unsubscribe-unsigned',
    what: "an unsubscribe link's signature is not checked",
    file: 'src/services/subscriptions.ts',
    search: "if (!sub || !(await this.mail.signer()).verify(q.sig, 'unsubscribe', sub.id, sub.email)) return null;",
    replace: 'if (!sub) return null;',
    tests: [DEFENCES],
  },
  {
    name: 'link-signature-compares-lengths',
    what: 'mail link signatures (confirm, unsubscribe) compare only lengths',
    file: 'src/mail/signing.ts',
    search: 'return given.length === expected.length && timingSafeEqual(given, expected);',
    replace: 'return given.length === expected.length;',
    tests: [DEFENCES],
  },
  {
    name: 'session-lookup-ignores-expiry',
    what: 'an expired session still logs in',
    file: 'src/store/sessions.ts',
    search: "      .where('s.expires_at', '>', now)\n",
    replace: '',
    tests: [DEFENCES],
  },
  {
    name: 'session-ttl-ignored',
    what: 'sessions are opened for a century instead of SESSION_TTL_DAYS',
    file: 'src/services/accounts.ts',
    search: 'now.getTime() + this.config.sessionTtlDays * 86_400_000',
    replace: 'now.getTime() + 36_500 * 86_400_000',
    tests: [DEFENCES],
  },
  {
    name: 'oai-checkpoint-outside-transaction',
    what: "the OAI-PMH checkpoint is saved outside the page's transaction",
    file: 'src/ingest/oai/harvester.ts',
    search: 'await tx.harvestState.save(next);',
    replace: 'await this.store.harvestState.save(next);',
    tests: ['tests/ingest/harvest-checkpoint.test.ts'],
  },
  {
    name: 'fusion-plain-rrf',
    what: 'hybrid search fuses by plain reciprocal rank fusion',
    file: 'src/search/fusion.ts',
    search: "  mode: 'convex',\n  keyword: 0.7,",
    replace: "  mode: 'rrf',\n  keyword: 0.7,",
    tests: ['tests/search/fusion-mutation.test.ts'],
  },
  {
    name: 'fusion-exact-cosine-dropped',
    what: "hybrid search scores keyword hits missing from the vector list by that list's lowest cosine instead of their own",
    file: 'src/services/search.ts',
    search: 'await this.exactCosines(serving.embedderId, vector.query, keyword.slice(0, candidates), vector.hits)',
    replace: 'undefined',
    tests: ['tests/search/search-exact-cosine.test.ts'],
  },
  {
    name: 'fusion-exact-cosine-ignored',
    what: 'the convex fusion ignores the exact cosines it is given',
    file: 'src/search/fusion.ts',
    search: 'const c = cos.get(h.id) ?? cosines?.get(h.id);',
    replace: 'const c = cos.get(h.id);',
    tests: ['tests/search/fusion-exact.test.ts', 'tests/search/search-exact-cosine.test.ts'],
  },
  {
    name: 'spelling-variants-off',
    what: 'keyword search no longer adds the -ize stem of a British -ise query word',
    file: 'src/search/inverted-index-engine.ts',
    search: "queryTermsWithVariants(q.terms.join(' '), (t) => index.docFrequency(t))",
    replace: "tokenize(q.terms.join(' '))",
    tests: ['tests/search/spelling-variants.test.ts'],
  },
  {
    name: 'subscription-linked-by-request',
    what: 'a signed-in request links any address it posts to the account',
    file: 'src/services/subscriptions.ts',
    search: 'return account && account.emailVerified && normalizeEmail(account.email) === email ? account.id : null;',
    replace: 'return account ? account.id : null;',
    tests: [ACCOUNTS],
  },
  {
    name: 'settings-show-unverified-address',
    what: "/settings/mail shows the subscription of an address the account has not verified",
    file: 'src/services/subscriptions.ts',
    search: '    if (!user.emailVerified) return null;\n    return this.store.subscriptions.findByEmail',
    replace: '    return this.store.subscriptions.findByEmail',
    tests: [ACCOUNTS],
  },
  {
    name: 'confirm-links-unverified-owner',
    what: 'confirming a subscription links it to an account that only claims the address',
    file: 'src/services/subscriptions.ts',
    search: 'if (owner?.emailVerified) await this.store.subscriptions.linkOwner(sub.email, owner.id);',
    replace: 'if (owner) await this.store.subscriptions.linkOwner(sub.email, owner.id);',
    tests: [ACCOUNTS],
  },
  {
    name: 'confirm-link-reusable',
    what: 'a mailed sign-up / address link works more than once',
    file: 'src/store/account-confirmations.ts',
    search: "await this.db.deleteFrom('account_confirmations').where('token_hash', '=', tokenHash).where('expires_at', '>', now).returningAll().executeTakeFirst();",
    replace: "await this.db.selectFrom('account_confirmations').selectAll().where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();",
    tests: [ACCOUNTS],
  },
  {
    name: 'confirm-link-never-expires',
    what: 'an expired sign-up link still creates the account',
    file: 'src/store/account-confirmations.ts',
    search: "deleteFrom('account_confirmations').where('token_hash', '=', tokenHash).where('expires_at', '>', now)",
    replace: "deleteFrom('account_confirmations').where('token_hash', '=', tokenHash)",
    tests: [ACCOUNTS],
  },
  {
    name: 'username-unique-only-by-case',
    what: 'no unique index on lower(username)',
    file: 'src/store/migrations/1020_account_identity.ts',
    search: '  await sql`create unique index users_username_lower_idx on users (lower(username))`.execute(db);\n',
    replace: '',
    tests: [ACCOUNTS],
  },
  {
    name: 'email-unique-only-by-case',
    what: 'no unique index on lower(email)',
    file: 'src/store/migrations/1020_account_identity.ts',
    search: '  await sql`create unique index users_email_lower_idx on users (lower(email))`.execute(db);\n',
    replace: '',
    tests: [ACCOUNTS],
  },
  {
    name: 'admin-by-signup-order',
    what: 'the first account created is an admin',
    file: 'src/store/users.ts',
    search: "password_hash: u.passwordHash, role: 'member',",
    replace: "password_hash: u.passwordHash, role: (await this.count()) === 0 ? 'admin' : 'member',",
    tests: [ACCOUNTS],
  },
  {
    name: 'signup-says-email-taken',
    what: 'sign-up answers 409 email_taken',
    file: 'src/services/accounts.ts',
    search: "    if (await this.store.users.byUsername(username)) throw new ServiceError(409, 'username_taken', 'that username is already registered');\n",
    replace:
      "    if (await this.store.users.byUsername(username)) throw new ServiceError(409, 'username_taken', 'that username is already registered');\n    if (await this.store.users.byEmail(email)) throw new ServiceError(409, 'email_taken', 'that email is already registered');\n",
    tests: [ACCOUNTS],
  },
  {
    name: 'quota-unbounded-upsert',
    what: 'the submission counter counts past the quota (check and count separated)',
    file: 'src/store/submission-quota.ts',
    search: ".where('submission_quota.used', '<', quota))",
    replace: ')',
    tests: [ACCOUNTS],
  },
  {
    name: 'add-many-counts-attempts',
    what: 'addMany counts rows that hit a conflict (PostgreSQL path)',
    file: 'src/store/feed.ts',
    search: '      added += inserted.length;',
    replace: '      added += rows.slice(i, i + 500).length + 0 * inserted.length;',
    tests: [ACCOUNTS],
  },
  {
    name: 'add-many-counts-attempts-sqlite',
    what: 'addMany counts rows that hit a conflict (SQLite bulk path)',
    file: 'src/store/feed.ts',
    search: 'for (const r of rows) added += stmt.run(r).changes;',
    replace: 'for (const r of rows) added += (stmt.run(r), 1);',
    tests: [ACCOUNTS],
  },
  {
    name: 'token-scopes-ignored',
    what: "a token's read/write scopes are not checked",
    file: 'src/http/middleware/auth.ts',
    search: 'if (!found.scopes.includes(needed)) throw',
    replace: 'if (false as boolean) throw',
    tests: [TOKENS],
  },
  {
    name: 'token-admin-scope-ignored',
    what: "an admin's token moderates without the admin scope",
    file: 'src/http/middleware/auth.ts',
    search: "if (c.var.authVia === 'token' && !c.var.tokenScopes.includes('admin')) throw",
    replace: 'if (false as boolean) throw',
    tests: [TOKENS],
  },
  {
    name: 'token-mints-tokens',
    what: 'a bearer token may create more tokens',
    file: 'src/services/accounts.ts',
    search: "if (opts.via === 'token') throw",
    replace: 'if (false as boolean) throw',
    tests: [TOKENS],
  },
  {
    name: 'token-never-expires',
    what: 'an expired token still authenticates',
    file: 'src/store/api-tokens.ts',
    search: "      .where('t.expires_at', '>', now)\n",
    replace: '',
    tests: [TOKENS],
  },
  {
    name: 'reset-keeps-tokens',
    what: 'a password reset leaves API tokens working',
    file: 'src/services/accounts.ts',
    search: '      await tx.sessions.deleteForUser(userId);\n      await tx.apiTokens.revokeAllForUser(userId);\n',
    replace: '      await tx.sessions.deleteForUser(userId);\n',
    tests: [TOKENS],
  },
  {
    name: 'logout-everywhere-keeps-tokens',
    what: '"log out everywhere" leaves API tokens working',
    file: 'src/services/accounts.ts',
    search: '      await tx.apiTokens.revokeAllForUser(userId);\n      return tx.sessions.deleteForUser(userId);',
    replace: '      return tx.sessions.deleteForUser(userId);',
    tests: [TOKENS],
  },
  {
    name: 'reset-answers-after-mail',
    what: 'the password-reset answer waits for the mail (timing tells known addresses)',
    file: 'src/http/routes/auth-api.ts',
    search: '      c.var.services.accounts.requestPasswordReset(body.email, clientIp(c));\n',
    replace: '      c.var.services.accounts.requestPasswordReset(body.email, clientIp(c));\n      await c.var.services.afterResponse.drain();\n',
    tests: [TOKENS],
  },
  {
    name: 'confirm-mail-no-address-cooldown',
    what: 'no cool-down on confirmation mails per address',
    file: 'src/services/mail-cooldown.ts',
    search: '    const { limit, windowSeconds } = this.config.confirmMailsPerAddress;\n    return (await',
    replace: '    const { limit, windowSeconds } = this.config.confirmMailsPerAddress;\n    return true || (await',
    tests: [TOKENS],
  },
  {
    name: 'confirm-mail-no-ip-cooldown',
    what: 'no cool-down on confirmation mails per IP',
    file: 'src/services/mail-cooldown.ts',
    search: '    if (ip) {',
    replace: '    if (ip && false) {',
    tests: [TOKENS],
  },
  // Issue 15's edge defences (trust-edge), the one visibility rule (issue 20) and the library.
  {
    name: 'comment-nesting-unbounded',
    what: 'comments may nest quotes and lists without a limit',
    file: 'src/domain/comment-markdown.ts',
    search: 'if (markdownNesting(source) > COMMENT_MAX_NESTING) overBudget(',
    replace: 'if (false) overBudget(',
    tests: ['tests/domain/comment-markdown.test.ts'],
  },
  {
    name: 'html-check-skips-formaction',
    what: "the tests' HTML safety check no longer looks at a button's formaction (formaction=\"javascript:…\" passes)",
    file: 'tests/helpers/html.ts',
    search: '(?:href|src|action|formaction)',
    replace: '(?:href|src|action)',
    tests: ['tests/helpers/html.test.ts'],
  },
  {
    name: 'next-leaves-the-site',
    what: '`next` after log-in may point at another origin',
    file: 'src/http/views/community/forms.tsx',
    search: "  if (url.origin !== OWN_ORIGIN || url.pathname.startsWith('//')) return fallback;\n",
    replace: '',
    tests: ['tests/site/next-redirect.test.ts'],
  },
  {
    name: 'import-keeps-javascript-links',
    what: 'imports keep non-http(s) abs links (javascript:)',
    file: 'src/domain/complete-paper.ts',
    search: 'abs: httpUrl(input.links?.abs) ??',
    replace: 'abs: input.links?.abs ??',
    tests: ['tests/ingest/unsafe-links.test.ts'],
  },
  {
    name: 'no-nosniff',
    what: 'responses lose X-Content-Type-Options: nosniff',
    file: 'src/http/middleware/security-headers.ts',
    search: "    c.res.headers.set('X-Content-Type-Options', 'nosniff');\n",
    replace: '',
    tests: ['tests/http/security-headers.test.ts'],
  },
  {
    name: 'api-accepts-nul',
    what: 'API bodies with NUL bytes reach the store (500 on PostgreSQL)',
    file: 'src/http/api-route.ts',
    search: '  if (holdsNul(body)) throw',
    replace: '  if (false) throw',
    tests: ['tests/http/edge-input.test.ts'],
  },
  {
    name: 'site-forms-uncapped',
    what: 'site forms are read whole, without the body cap',
    file: 'src/http/middleware/body-cap.ts',
    search: ': site(c, next));',
    replace: ': next());',
    tests: ['tests/http/edge-input.test.ts'],
  },
  {
    name: 'hidden-papers-visible',
    what: 'the one visibility rule ignores moderation (hidden papers served)',
    file: 'src/store/visibility.ts',
    search: "return sql<boolean>`(${col('hidden')} = 0 and ${col('deleted')} = 0)`;",
    replace: "return sql<boolean>`(${col('deleted')} = 0)`;",
    tests: ['tests/http/paper-visibility.test.ts'],
  },
  {
    name: 'report-form-unlimited',
    what: 'the report form has no rate limit (only the API route keeps the preset)',
    file: 'src/http/routes/report-pages.tsx',
    search: "app.post('/report', requireUser(), ...writeLimits(config, 'report'), async (c) => {",
    replace: "app.post('/report', requireUser(), async (c) => {",
    tests: ['tests/community/reports.test.ts'],
  },
  {
    name: 'library-import-any-collection',
    what: "a BibTeX/RIS import may fill someone else's collection",
    file: 'src/services/library.ts',
    search: '    await this.collections.requireOwn(user, collectionId);\n',
    replace: '',
    tests: ['tests/community/library.test.ts'],
  },
  {
    name: 'zotero-follows-foreign-links',
    what: "a Zotero next-page link to another host is followed (with the reader's API key)",
    file: 'src/ingest/zotero.ts',
    search: '      if (next && new URL(next).origin !== origin) throw',
    replace: '      if (false) throw',
    tests: ['tests/community/zotero.test.ts'],
  },
  {
    name: 'claim-decided-by-anyone',
    what: 'the claim service lets any account approve or refuse author claims',
    file: 'src/services/author-claims.ts',
    search: "if (actor.role !== 'admin') throw new ServiceError(403, 'admin_only', 'only moderators can decide claims');",
    replace: '',
    tests: [CLAIMS_STORE],
  },
  {
    name: 'claim-revoked-by-anyone',
    what: 'the claim service lets any account revoke an approved author claim',
    file: 'src/services/author-claims.ts',
    search: '    requireAdmin(actor);\n    const why',
    replace: '    const why',
    tests: ['tests/authorship/claim-revoke.test.ts'],
  },
  {
    name: 'claim-revoke-keeps-links',
    what: "revoking a claim leaves the code and project links that account set",
    file: 'src/services/author-claims.ts',
    search: 'const links = await tx.authorClaims.removeLinksSetBy(claim.paperId, claim.userId);',
    replace: 'const links = 0;',
    tests: ['tests/authorship/claim-revoke.test.ts'],
  },
  {
    name: 'author-links-unverified',
    what: 'any signed-in reader may set the code and project links of any paper',
    file: 'src/services/author-claims.ts',
    search: "if (!(await this.store.authorClaims.isVerifiedAuthor(user.id, paper.id))) throw new ServiceError(403, 'not_author', 'only a verified author of this paper can set its links');",
    replace: '',
    tests: [CLAIMS_HTTP],
  },
  {
    name: 'author-url-plain-http',
    what: 'author-set links and organisation websites accept any http(s) scheme',
    file: 'src/domain/authorship.ts',
    search: "if (u.protocol !== 'https:' || !u.hostname",
    replace: "if (!u.protocol.startsWith('http') || !u.hostname",
    tests: [CLAIMS_HTTP],
  },
  {
    name: 'claim-any-name',
    what: "a claim may name someone who is not among the paper's listed authors",
    file: 'src/services/author-claims.ts',
    search: 'const listed = paper.authors.find((a) => nameKey(a) === key);',
    replace: 'const listed = paper.authors.find((a) => nameKey(a) === key) ?? parsed.data.authorName;',
    tests: [CLAIMS_HTTP],
  },
  {
    name: 'claim-verified-name-again',
    what: 'a name already verified as one account can be claimed and approved for another',
    file: 'src/services/author-claims.ts',
    search: "if (holder) throw new ServiceError(409, 'name_taken', `${claim.authorName} is already verified as ${holder.username}; refuse this claim`);",
    replace: '',
    tests: [CLAIMS_STORE],
  },
  {
    name: 'org-decided-by-anyone',
    what: 'the organisation service lets any account list or refuse declared organisations',
    file: 'src/services/organisations.ts',
    search: "if (actor.role !== 'admin') throw new ServiceError(403, 'admin_only', 'only moderators can confirm organisations');",
    replace: '',
    tests: [CLAIMS_STORE],
  },
  {
    name: 'org-pending-public',
    what: 'a declared organisation is public before a moderator lists it',
    file: 'src/services/organisations.ts',
    search: "if (!org || org.status !== 'listed') throw notFound(slug);",
    replace: 'if (!org) throw notFound(slug);',
    tests: [ORGS_HTTP],
  },
  {
    name: 'follow-pending-org',
    what: 'readers may follow an organisation that is not listed (revealing it)',
    file: 'src/services/following.ts',
    search: "if (!org || org.status !== 'listed') throw new ServiceError(404",
    replace: "if (!org) throw new ServiceError(404",
    tests: [ORGS_HTTP],
  },
  {
    name: 'notify-hidden-paper-shown',
    what: 'notifications about a hidden or withdrawn paper are still listed and counted',
    file: 'src/store/notifications.ts',
    search: "where(sql<boolean>`(n.paper_id is null or ${visiblePaper('p')})`)",
    replace: "where(sql<boolean>`(n.paper_id is null or p.deleted = 0)`)",
    tests: [NOTIFY],
  },
  {
    name: 'notify-self',
    what: "a comment's author is notified of their own comment (the fan-out does not leave out the actor)",
    file: 'src/store/notifications.ts',
    search: 'where aud.uid <> ${c.actorId} and u.banned = 0',
    replace: 'where u.banned = 0',
    tests: [NOTIFY],
  },
  {
    name: 'notify-banned-actor',
    what: "a banned actor's comment still notifies",
    file: 'src/services/notifications.ts',
    search: 'if (!actor || actor.banned) return 0;',
    replace: 'if (!actor) return 0;',
    tests: [NOTIFY],
  },
  {
    name: 'notify-mark-read-any-reader',
    what: "marking a notification read does not check that it is the reader's",
    file: 'src/store/notifications.ts',
    search: "set({ read_at: now }).where('id', '=', id).where('user_id', '=', userId).where('read_at', 'is', null)",
    replace: "set({ read_at: now }).where('id', '=', id).where('read_at', 'is', null)",
    tests: [NOTIFY],
  },
  {
    name: 'notify-unknown-mention-linked',
    what: '`@name` of no account is rendered as a profile link',
    file: 'src/domain/comment-markdown.ts',
    search: 'if (!m || !knownMentions.has(m[1].toLowerCase())) return undefined;',
    replace: 'if (!m) return undefined;',
    tests: [NOTIFY],
  },
  {
    name: 'notify-mail-key-per-attempt',
    what: 'a notification mail is enqueued under a new key each attempt, not one per batch (a crash between enqueue and mark sends twice)',
    file: 'src/services/notifications.ts',
    search: 'period: `notify:${batchId}`,',
    replace: 'period: `notify:${batchId}:${Date.now()}`,',
    tests: [NOTIFY_MAIL],
  },
  {
    name: 'notify-unsubscribe-unsigned',
    what: "the notification mail's unsubscribe link is not checked",
    file: 'src/services/notifications.ts',
    search: "if (!signer.verify(sig, 'notify-unsubscribe', userId)) return null;",
    replace: '',
    tests: [NOTIFY_MAIL, 'tests/notifications/unsubscribe-kinds.test.ts'],
  },
  {
    name: 'notify-prune-unread',
    what: 'the cleanup deletes old notifications the reader has not read yet',
    file: 'src/store/notifications.ts',
    search: ".select('id').where('read_at', 'is not', null).where('created_at', '<', before)",
    replace: ".select('id').where('created_at', '<', before)",
    tests: ['tests/jobs/notifications-retention.test.ts'],
  },
  {
    name: 'notify-unsubscribe-kinds-unsigned',
    what: "a notification mail's per-kind unsubscribe link is not checked (kinds or account may be edited)",
    file: 'src/services/notifications.ts',
    search: "} else if (!signer.verify(sig, 'notify-unsubscribe-kinds', userId, kindsParam(kinds))) return null;",
    replace: '}',
    tests: ['tests/notifications/unsubscribe-kinds.test.ts'],
  },
  {
    name: 'search-store-ignores-offset',
    what: "the store's full-text search ignores the page offset (every page is page one)",
    file: 'src/store/search.ts',
    search: 'return offset ? sql`limit ${limit} offset ${offset}` : sql`limit ${limit}`;',
    replace: 'return sql`limit ${limit}`;',
    tests: ['tests/search/search-paging.test.ts'],
  },
  {
    name: 'search-memory-ignores-offset',
    what: 'the in-memory keyword index ignores the page offset',
    file: 'src/search/inverted-index-engine.ts',
    search: 'return hits.filter((h) => visible.has(h.id)).slice(offset, offset + limit);',
    replace: 'return hits.filter((h) => visible.has(h.id)).slice(0, limit);',
    tests: ['tests/search/search-paging.test.ts'],
  },
  {
    name: 'bulk-load-indexes-not-restored-at-open',
    what: 'opening the store no longer rebuilds indexes a killed bulk import set aside',
    file: 'src/store/index.ts',
    search: 'if (opts.migrate !== false) await store.papers.restoreSetAsideIndexes();',
    replace: '',
    tests: ['tests/store/bulk-load.test.ts'],
  },
  {
    name: 'bulk-load-indexes-dropped-unrecorded',
    what: 'a first import drops the indexes of papers and the feed (and its foreign key) without recording their definitions first',
    file: 'src/store/papers.ts',
    search: "await trx.insertInto('bulk_load_indexes').values(all).onConflict((oc) => oc.column('name').doNothing()).execute();",
    replace: '',
    tests: ['tests/store/bulk-load.test.ts'],
  },
  {
    name: 'page-cache-ignores-cookies',
    what: "the anonymous page cache answers (and keeps) pages for requests that carry a session cookie",
    file: 'src/http/middleware/page-cache.ts',
    search: "if (!cacheable(url.pathname) || c.req.header('cookie') || c.req.header('authorization')) {",
    replace: "if (!cacheable(url.pathname) || c.req.header('authorization')) {",
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'page-cache-ignores-writes',
    what: 'a vote or comment through this server leaves the cached anonymous pages as they were',
    file: 'src/http/middleware/page-cache.ts',
    search: 'if (c.res.status < 400 && !VOTE_PATH.test(c.req.path)) cache.changed();',
    replace: '',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'page-cache-vote-stales-everything',
    what: 'a vote makes every cached page stale, as any other write does, so at a few votes a second the cache rarely answers a list',
    file: 'src/http/middleware/page-cache.ts',
    search: 'if (c.res.status < 400 && !VOTE_PATH.test(c.req.path)) cache.changed();',
    replace: 'if (c.res.status < 400) cache.changed();',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'page-cache-vote-unheard',
    what: "a vote is not told to the page cache: anonymous readers of this server see it only after the time to live",
    file: 'src/services/upvotes.ts',
    search: "      this.changes.notify({ kind: 'vote', paperId, days: entry ? [entry.day] : [] });\n",
    replace: '',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'page-cache-vote-day-ignored',
    what: "a vote leaves its feed day's cached rankings as they were (a paper not shown yet could move onto the page)",
    file: 'src/http/page-cache.ts',
    search: '    for (const d of v.days) this.depVotedAt.set(dayDep(d), now);\n',
    replace: '',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'page-cache-vote-deps-ignored',
    what: 'a vote makes every cached list stale whatever it depends on',
    file: 'src/http/page-cache.ts',
    search: '    if (!e.deps) return e.storedAt <= this.votedAt;',
    replace: '    return e.storedAt <= this.votedAt;',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'page-cache-votes-ranking-kept',
    what: 'a vote leaves site-wide rankings by votes (trending, searches sorted by votes) cached as they were',
    file: 'src/http/page-cache.ts',
    search: 'const t = d === VOTES_DEP ? this.votedAt : this.depVotedAt.get(d);',
    replace: 'const t = this.depVotedAt.get(d);',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'page-cache-stale-rate-limit',
    what: "a cached search answer goes out with the rate-limit counts of the request that rendered it, so clients cannot see their budget shrink",
    file: 'src/http/middleware/page-cache.ts',
    search: '    for (const [name, v] of rate) headers.set(name, v);\n',
    replace: '',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'page-cache-keeps-degraded-search',
    what: "keyword results standing in for a failed embedder are kept and served again, so search stays degraded after the embedder recovers",
    file: 'src/http/middleware/page-cache.ts',
    search: " || /no-store/i.test(res.headers.get('cache-control') ?? '')",
    replace: '',
    tests: ['tests/http/search-embedder-fallback.test.ts'],
  },
  {
    name: 'page-cache-fresh-nonce',
    what: "a cached page is served under a new CSP nonce, so its own inline script and style are blocked",
    file: 'src/http/middleware/page-cache.ts',
    search: '    reuseCspNonce(page.nonce);\n',
    replace: '',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'search-memory-undated-in-range',
    what: 'the in-memory keyword index lets an undated paper through a date bound',
    file: 'src/search/doc-meta.ts',
    search: 'if (to && (!day || day > toN)) return false;',
    replace: 'if (to && day > toN) return false;',
    tests: ['tests/search/keyword-engine.contract.test.ts'],
  },
  {
    name: 'search-moderation-not-queued',
    what: 'hiding, showing or withdrawing a paper does not queue it for the keyword indexes',
    file: 'src/store/migrations/1500_search_queue_visibility.ts',
    search: "await recreate(db, 'title, abstract, authors, hidden, deleted');",
    replace: "await recreate(db, 'title, abstract, authors');",
    tests: ['tests/search/keyword-engine.contract.test.ts'],
  },
  {
    name: 'search-pg-phrase-across-fields',
    what: "PostgreSQL's document vector runs the title straight into the abstract (phrases match across them)",
    file: 'src/store/search.ts',
    search: "'A') || ${FIELD_GAP} || setweight",
    replace: "'A') || setweight",
    tests: ['tests/search/keyword-engine.contract.test.ts'],
  },
  {
    name: 'store-db-public',
    what: "Store hands out its Kysely handle (code outside src/store could write SQL through it)",
    file: 'src/store/store.ts',
    search: '    private readonly db: Kysely<Database>,',
    replace: '    readonly db: Kysely<Database>,',
    tests: ['tests/architecture/layering.test.ts'],
  },
  {
    name: 'service-reaches-connection-db',
    what: "a service reaches the database through openStore's connection",
    file: 'src/services/runtime.ts',
    search: 'describe: opened.connection.describe,',
    replace: "describe: opened.connection.db ? opened.connection.describe : '',",
    tests: ['tests/architecture/layering.test.ts'],
  },
  {
    name: 'claim-decision-not-notified',
    what: 'a moderator decides an authorship claim and the claimant is never told',
    file: 'src/services/index.ts',
    search: "        await notifications.notify('claim_decided',",
    replace: "        if (false) await notifications.notify('claim_decided',",
    tests: ['tests/authorship/claims-http.test.ts'],
  },
  {
    name: 'index-file-checksum-unchecked',
    what: 'a keyword index file is served without its SHA-256 being recomputed (a corrupt byte goes unnoticed)',
    file: 'src/search/index-file.ts',
    search: "if (actual !== head.checksum) throw new IndexFileError('checksum', `${file}: checksum mismatch (the file is corrupt)`);",
    replace: '',
    tests: ['tests/search/keyword-index-file.test.ts', 'tests/search/published-keyword-index.test.ts', 'tests/search/published-ann-index.test.ts'],
  },
  {
    name: 'for-you-features-checksum-unchecked',
    what: "a For-you features file is served without its SHA-256 being recomputed (a flipped byte in a vector or a title goes unnoticed)",
    file: 'src/search/index-file.ts',
    search: "if (actual !== head.checksum) throw new IndexFileError('checksum', `${file}: checksum mismatch (the file is corrupt)`);",
    replace: '',
    tests: ['tests/discovery/for-you-features-file.test.ts', 'tests/services/for-you-published.test.ts'],
  },
  {
    name: 'for-you-features-window-unchecked',
    what: 'published For-you features built for another FOR_YOU_INDEX_DAYS are served as if they covered this window',
    file: 'src/services/for-you.ts',
    search: 'if (snap.indexDays !== this.opts.indexDays) throw',
    replace: 'if (snap.indexDays !== this.opts.indexDays && false) throw',
    tests: ['tests/services/for-you-published.test.ts'],
  },
  {
    name: 'index-file-length-unchecked',
    what: "a keyword index file's recorded length is not compared with its size (a truncated copy is read)",
    file: 'src/search/index-file.ts',
    search: "if (bytes !== actual) throw new IndexFileError('truncated', `${file}: ${actual} bytes, its header says ${bytes}`);",
    replace: '',
    tests: ['tests/search/keyword-index-file.test.ts', 'tests/search/published-keyword-index.test.ts'],
  },
  {
    name: 'index-file-version-unchecked',
    what: 'a keyword index file of another format version is read as this one',
    file: 'src/search/index-file.ts',
    search: "if (version !== format) throw new IndexFileError('version',",
    replace: "if (version !== format && false) throw new IndexFileError('version',",
    tests: ['tests/search/keyword-index-file.test.ts', 'tests/search/published-keyword-index.test.ts'],
  },
  {
    name: 'published-index-not-the-published-version',
    what: "a local index file is served without matching its version row's checksum (another database's or an older file)",
    file: 'src/search/index-file.ts',
    search: "if (expect.checksum !== undefined && expect.checksum !== head.checksum) throw",
    replace: "if (expect.checksum !== undefined && expect.checksum !== head.checksum && false) throw",
    tests: ['tests/search/keyword-index-file.test.ts'],
  },
  {
    name: 'index-file-repeated-term-served',
    what: "a keyword index file whose vocabulary holds a term twice is served (the reader thread's hash table keeps one of its ids)",
    file: 'src/search/string-table.ts',
    search: 'if (oTo - oFrom === to - from && bytesEqual(bytes, oFrom, from, to - from)) throw',
    replace: 'if (oTo - oFrom === to - from && bytesEqual(bytes, oFrom, from, to - from) && false) throw',
    tests: ['tests/search/keyword-index-file.test.ts'],
  },
  {
    name: 'pdf-renderer-death-unnoticed',
    what: 'a renderer process that dies mid-render is not noticed (the render waits out its whole budget)',
    file: 'src/ingest/pdf/render-pool.ts',
    search: "child.on('exit', onExit);",
    replace: '',
    tests: ['tests/enrichment/pdf-renderer-crash.test.ts'],
  },
  {
    name: 'pdf-renderer-memory-uncapped',
    what: "the renderer's resident-memory cap is never enforced",
    file: 'src/ingest/pdf/render-worker.ts',
    search: 'if (rss <= data.maxRssMb) return;',
    replace: 'return;',
    tests: ['tests/enrichment/pdf-renderer-crash.test.ts'],
  },
  {
    name: 'pdf-render-unbudgeted',
    what: 'a render past its time budget is not stopped',
    file: 'src/ingest/pdf/render-pool.ts',
    search: '}, this.opts.budgetMs);',
    replace: '}, 2 ** 31 - 1);',
    tests: ['tests/enrichment/pdf-step.test.ts'],
  },
  {
    name: 'pdf-follows-foreign-redirects',
    what: 'the PDF step follows a redirect to a host other than ARXIV_PDF_URL',
    file: 'src/ingest/pdf/fetch-pdf.ts',
    search: '      if (new URL(current).origin !== opts.origin) return',
    replace: '      if (false) return',
    tests: ['tests/enrichment/pdf-step.test.ts'],
  },
  {
    name: 'pdf-ignores-content-length',
    what: "a PDF's declared Content-Length over PDF_MAX_BYTES is not refused up front",
    file: 'src/ingest/pdf/fetch-pdf.ts',
    search: 'if (Number.isFinite(declared) && declared > opts.maxBytes) {',
    replace: 'if (false) {',
    tests: ['tests/enrichment/pdf-step.test.ts'],
  },
  {
    name: 'pdf-stream-uncapped',
    what: 'a PDF sent without a Content-Length is read whatever its size',
    file: 'src/ingest/pdf/fetch-pdf.ts',
    search: '    if (total > maxBytes) {',
    replace: '    if (false) {',
    tests: ['tests/enrichment/pdf-step.test.ts'],
  },
  {
    name: 'pdf-no-magic-check',
    what: 'whatever a server sends is handed to the renderer as a PDF',
    file: 'src/ingest/pdf/fetch-pdf.ts',
    search: '  return head.includes(PDF_MAGIC);',
    replace: '  return head.length >= 0;',
    tests: ['tests/enrichment/pdf-step.test.ts'],
  },
  {
    name: 'thumbnails-of-hidden-papers',
    what: "a hidden or withdrawn paper's thumbnail is still served",
    file: 'src/store/enrichment.ts',
    search: "      .where('t.hash', '=', hash)\n      .where(visiblePaper('p'))",
    replace: "      .where('t.hash', '=', hash)",
    tests: ['tests/enrichment/thumbnails-http.test.ts'],
  },
  {
    name: 'thumbnails-unlimited',
    what: '/thumbs/{hash}.webp answers any number of requests from one IP',
    file: 'src/http/routes/thumbnails.ts',
    search: "app.get('/thumbs/:file', anonymousLimit(config, 'thumbs'), async (c) => {",
    replace: "app.get('/thumbs/:file', async (c) => {",
    tests: ['tests/http/thumbnail-limits.test.ts'],
  },
  {
    name: 'enrich-retries-permanent-failures',
    what: 'a permanent enrichment failure (404, not a PDF) is retried like a passing one',
    file: 'src/services/enrichment/runner.ts',
    search: 'const givenUp = outcome.permanent || attempts >= this.opts.backoff.maxAttempts;',
    replace: 'const givenUp = attempts >= this.opts.backoff.maxAttempts;',
    tests: ['tests/enrichment/runner.test.ts'],
  },
  {
    name: 'enrich-forgets-retry-after',
    what: "a host's Retry-After is not kept: the next paper calls it at once",
    file: 'src/services/enrichment/runner.ts',
    search: '        await this.store.enrichment.blockHost(host, iso(outcome.retryAfterMs!), outcome.reason);',
    replace: '',
    tests: ['tests/enrichment/runner.test.ts'],
  },
  {
    name: 'ann-file-layout-unchecked',
    what: 'an ANN index file saved in another layout is loaded as if it were this one',
    file: 'src/search/vector-index.ts',
    search: ' && meta.layout === LAYOUT;',
    replace: ';',
    tests: ['tests/search/vector-index.test.ts', 'tests/search/published-ann-index.test.ts'],
  },
  {
    name: 'lease-hold-not-renewed',
    what: 'a lease held for long work (an index build and publication) is not renewed: with the short publishing lease another server takes it mid-build',
    file: 'src/store/leases.ts',
    search: '      this.renew(name, holder, ttlMs).catch((err) => onRenewError?.(err));',
    replace: '      void onRenewError;',
    tests: ['tests/store/leases-and-limits.test.ts'],
  },
  {
    name: 'ann-published-download-unchecked',
    what: "a published index's bytes copied out of the store are not checked against its version row's checksum",
    file: 'src/search/published-index.ts',
    search: "if (hash.digest('hex') !== v.checksum) throw",
    replace: "if (hash.digest('hex') !== v.checksum && false) throw",
    tests: ['tests/search/published-ann-index.test.ts'],
  },
  {
    name: 'ann-published-unusable-served',
    what: 'a published ANN index that fails its checks leaves the server without vectors instead of rebuilding from the stored ones',
    file: 'src/services/search-index.ts',
    search: "      return v.version;\n    }\n    for (;;) {",
    replace: "      return 'loaded';\n    }\n    for (;;) {",
    tests: ['tests/search/published-ann-index.test.ts'],
  },
  {
    name: 'page-cache-deaf-to-background-changes',
    what: 'enrichments (and harvests) made in the background wait out the page cache instead of showing at once',
    file: 'src/http/app.ts',
    search: "    services.changes.subscribe((change) => (change.kind === 'vote' ? cache.voted({ ...change, paperPath: sitePaths.paper(change.paperId) }) : cache.changed()));",
    replace: '',
    tests: ['tests/enrichment/thumbnails-http.test.ts'],
  },
  {
    name: 'import-stores-nul-lines',
    what: 'an imported line with a NUL character is sent to the store (PostgreSQL fails its whole batch)',
    file: 'src/ingest/parse-lines.ts',
    search: "if (typeof value === 'string') return value.includes('\\u0000') ? name : null;",
    replace: "if (typeof value === 'string') return null;",
    tests: ['tests/ingest/import-bulk.test.ts'],
  },
  {
    name: 'import-version-unbounded',
    what: 'an imported version past 32 bits is sent to the store (PostgreSQL fails its whole batch)',
    file: 'src/ingest/parse-lines.ts',
    search: 'if (v !== null && !(Number.isSafeInteger(v) && v >= 0 && v <= INT32_MAX))',
    replace: 'if (v !== null && !Number.isSafeInteger(v))',
    tests: ['tests/ingest/import-bulk.test.ts'],
  },
  {
    name: 'copy-backslash-unescaped',
    what: "COPY's text format sends backslashes as they are (\\t in an abstract becomes a tab, \\N a null)",
    file: 'src/store/packed-rows.ts',
    search: 'const ESCAPE_ALL = /[\\\\\\t\\n\\r]/g;',
    replace: 'const ESCAPE_ALL = /[\\t\\n\\r]/g;',
    tests: ['tests/ingest/import-bulk.test.ts'],
  },
  {
    name: 'import-nul-precheck-blind',
    what: "the parse step's quick look for a NUL escape in the line misses it, so the field walk never runs (PostgreSQL fails the whole batch)",
    file: 'src/ingest/parse-lines.ts',
    search: "const nul = line !== undefined && !line.includes('\\\\u0000') ? null : fieldWithNul(paper);",
    replace: "const nul = line !== undefined && !line.includes('\\u0000') ? null : fieldWithNul(paper);",
    tests: ['tests/ingest/import-bulk.test.ts'],
  },
  {
    name: 'import-stamps-parse-time-packed',
    what: "PostgreSQL's import writes the time its rows were parsed as modified_at, not the time they are written (a keyword index following the store misses later batches)",
    file: 'src/store/papers.ts',
    search: '    stampPacked(p, stamp);',
    replace: '',
    tests: ['tests/ingest/import-stamps.test.ts'],
  },
  {
    name: 'import-stamps-parse-time-rows',
    what: "SQLite's import writes the time its rows were parsed as modified_at, not the time they are written (a keyword index following the store misses later batches)",
    file: 'src/store/papers.ts',
    search: '    for (const r of objects) r.created_at = r.modified_at = stamp;',
    replace: '',
    tests: ['tests/ingest/import-stamps.test.ts'],
  },
  {
    name: 'copy-conflict-fails-batch',
    what: 'a paper stored by another writer between the look-up and the COPY fails the batch instead of going through the upsert',
    file: 'src/store/papers.ts',
    search: "if ((err as { code?: string }).code !== '23505') throw err;",
    replace: 'throw err;',
    tests: ['tests/ingest/import-bulk.test.ts'],
  },
  {
    name: 'feed-copy-conflict-fails-batch',
    what: "a paper another writer put on the feed between the look-up and the feed's COPY fails the import's batch instead of keeping its place",
    file: 'src/store/feed.ts',
    search: "if ((err as { code?: string }).code !== '23505') throw err;",
    replace: 'throw err;',
    tests: ['tests/ingest/import-bulk.test.ts'],
  },
  {
    name: 'lines-reused-chunk-not-copied',
    what: "the start of a line that goes on in the next read is kept as a view of the reader's reused buffer, which the next read overwrites: lines cut between reads come out garbled",
    file: 'src/ingest/lines.ts',
    search: 'pending.push(Buffer.from(c.subarray(start)));',
    replace: 'pending.push(c.subarray(start));',
    tests: ['tests/ingest/import-workers-rows.test.ts'],
  },
  {
    name: 'packed-scratch-given-back-early',
    what: "a batch's packed rows' buffer goes back to the parse worker before the writer has written it, so the rows are sent from a buffer no longer there (or already packed over)",
    file: 'src/ingest/parse-pool.ts',
    search: "        yield batch;\n",
    replace: "        if (!Array.isArray(batch.rows)) worker.postMessage({ kind: 'scratch', buffer: batch.rows.text.buffer }, [batch.rows.text.buffer as ArrayBuffer]);\n        yield batch;\n",
    tests: ['tests/ingest/import-workers-rows.test.ts'],
  },
  {
    name: 'links-quick-look-case-sensitive',
    what: "the quick look for a URL before the link pattern runs sees only a lower-case 'www.', so a paper's WWW.Example.org link is never extracted",
    file: 'src/domain/links.ts',
    search: 'if ((text.charCodeAt(i - 1) | 32) === 0x77 &&',
    replace: 'if (text.charCodeAt(i - 1) === 0x77 &&',
    tests: ['tests/domain/links.test.ts'],
  },
  {
    name: 'links-quick-look-slash-blind',
    what: 'the quick look for a URL before the link pattern runs skips text whose only sign of one is a slash (https://…, github.com/…)',
    file: 'src/domain/links.ts',
    search: "if (text.includes('/')) return true;",
    replace: "if (text.includes('//')) return true;",
    tests: ['tests/domain/links.test.ts'],
  },
  {
    name: 'copy-backslash-fast-path',
    what: "a field whose only special character is a backslash skips COPY's escaping (\\t in an abstract becomes a tab, \\N a null)",
    file: 'src/store/packed-rows.ts',
    search: 'const NEEDS_CARE = /[\\\\\\t\\n\\r\\0]/;',
    replace: 'const NEEDS_CARE = /[\\t\\n\\r\\0]/;',
    tests: ['tests/ingest/import-bulk.test.ts'],
  },
  {
    name: 'feed-key-restored-over-orphans',
    what: "the feed's foreign key is added back without removing feed rows whose paper went meanwhile (the restore fails at every open)",
    file: 'src/store/papers.ts',
    search: 'await sql`delete from feed_entries f where not exists (select 1 from papers p where p.id = f.paper_id)`.execute(trx);',
    replace: '',
    tests: ['tests/store/bulk-load.test.ts'],
  },
  {
    name: 'scan-cursor-to-now',
    what: "the keyword index's sliced scan moves its cursor up to the newest change, so a write that lands in a slice already read is stepped over for good",
    file: 'src/search/inverted-index-engine.ts',
    search: 'if (p.modifiedAt < guard && (',
    replace: 'if ((',
    tests: ['tests/search/inverted-index-engine.test.ts'],
  },
  {
    name: 'pg-lent-client-error-unhandled',
    what: "a PostgreSQL connection that breaks while lent out emits an unhandled 'error' and ends the serving process",
    file: 'src/store/db.ts',
    search: "    client.on('error', () => {});\n",
    replace: '',
    tests: ['tests/faults/store-outage.test.ts'],
  },  {
    name: 'search-change-count-trigger-dropped',
    what: "SQLite's papers change count ignores updates, so a paper another process changed or hid is never scanned for by this one",
    file: 'src/store/migrations/1700_papers_change_count.ts',
    search: "  await sql`create trigger papers_change_count_update after update of modified_at on papers begin\n      update papers_change_count set n = n + 1 where id = 1;\n    end`.execute(db);\n",
    replace: '',
    tests: ['tests/search/papers-change-mark.test.ts'],
  },
  {
    name: 'search-change-mark-any-write',
    what: "the keyword index's catch-up scans the papers table after any write by another connection (a rate-limit row), not only writes to papers",
    file: 'src/store/papers.ts',
    search: 'return now.otherWriters !== before.otherWriters && now.papers !== before.papers;',
    replace: 'return now.otherWriters !== before.otherWriters;',
    tests: ['tests/search/papers-change-mark.test.ts'],
  },  {
    name: 'ann-prune-drops-previous-space',
    what: "publishing a new model's ANN index drops the previous model's too, which servers not yet switched (or answering from the old space while the new one is embedded) still load",
    file: 'src/search/published-ann-index.ts',
    search: 'if (i === 0) await space.dropBefore(v.version);\n      else await space.dropAll();',
    replace: 'await space.dropAll();',
    tests: ['tests/search/published-ann-prune.test.ts'],
  },
  {
    name: 'keyword-refresh-skips-changed-papers',
    what: "the keyword index's refresh skips its scan of modified papers though a paper was written since the last scan (it checks only that its own full-text queue was empty)",
    file: 'src/search/inverted-index-engine.ts',
    search: 'if (n === 0 && this.index && samePapers(this.scannedMark, mark)) return 0;',
    replace: 'if (n === 0 && this.index) return 0;',
    tests: ['tests/search/inverted-index-engine.test.ts'],
  },
  {
    name: 'thumbnail-sweep-drops-linked',
    what: "the housekeeping's sweep of unlinked thumbnail bytes deletes bytes a paper still shows",
    file: 'src/store/enrichment.ts',
    search: "      .deleteFrom('thumbnail_blobs')\n      .where((eb) => eb.not(eb.exists(eb.selectFrom('paper_thumbnails as links').select('links.hash').whereRef('links.hash', '=', 'thumbnail_blobs.hash'))))\n      .executeTakeFirst();",
    replace: "      .deleteFrom('thumbnail_blobs')\n      .executeTakeFirst();",
    tests: ['tests/enrichment/shared-thumbnails.test.ts'],
  },
  {
    name: 'fts-bulk-automerge-not-restored',
    what: "a first import's full-text catch-up leaves FTS5 merging 16 segments at a time instead of its default 4, so every later search reads more segments",
    file: 'src/store/search.ts',
    search: '      if (bulk) await this.setAutomerge(DEFAULT_AUTOMERGE);',
    replace: '      if (bulk) void DEFAULT_AUTOMERGE;',
    tests: ['tests/search/full-text-bulk-catch-up.test.ts'],
  },
  {
    name: 'fts-killed-bulk-automerge-kept',
    what: "a first import's full-text catch-up killed part-way leaves FTS5 merging 16 segments at a time for good: the next, smaller catch-up does not put the default back",
    file: 'src/store/search.ts',
    search: '    else if (this.dialect === \'sqlite\' && (await this.automergeLeftOver())) await this.setAutomerge(DEFAULT_AUTOMERGE);',
    replace: '    else if (this.dialect === \'sqlite\' && (await this.automergeLeftOver())) void DEFAULT_AUTOMERGE;',
    tests: ['tests/search/full-text-bulk-killed.test.ts'],
  },
  {
    name: 'index-file-offsets-32-bit',
    what: 'index file section offsets rounded with 32-bit arithmetic: past 2 GiB (a 2.5M-paper keyword index) they turn negative and the file cannot be written',
    file: 'src/search/index-file.ts',
    search: 'export const align8 = (n: number) => Math.ceil(n / 8) * 8;',
    replace: 'export const align8 = (n: number) => (n + 7) & ~7;',
    tests: ['tests/search/index-file-offsets.test.ts'],
  },
  {
    name: 'index-file-hash-whole',
    what: "an index file's body hashed with one update: Node refuses more than 2^31 - 1 bytes at once, so a 2.5M-paper keyword index (2.17 GB) is never loaded and the server never becomes ready",
    file: 'src/search/index-file.ts',
    search: 'for (let at = from; at < buf.length; at += slice) hash.update(buf.subarray(at, Math.min(buf.length, at + slice)));',
    replace: 'hash.update(buf.subarray(from));',
    tests: ['tests/search/index-file-past-2gib.test.ts'],
  },
  {
    name: 'index-file-strings-absolute-offset',
    what: "a strings section's line ends searched at absolute byte offsets: Node 20's Buffer indexOf takes offsets past 2 GiB as 32-bit, so the paper ids of a 2.5M-paper keyword index (after 2 GB of postings) are decoded in one go on the request thread (before the fix: never ended)",
    file: 'src/search/index-file.ts',
    search: 'const next = part.indexOf(10, end);',
    replace: 'const next = buf.indexOf(10, from + end) - from;',
    tests: ['tests/search/index-file-past-2gib.test.ts'],
  },
  {
    name: 'search-drain-probe-ignores-queue',
    what: "SQLite's check before a full-text drain overlooks queued papers, so an edited or hidden paper stays in the keyword indexes as it was",
    file: 'src/store/search.ts',
    search: 'select (exists (select 1 from search_pending) or exists',
    replace: 'select (exists (select 1 from search_pending where 0) or exists',
    tests: ['tests/search/drain-probe.test.ts'],
  },
  {
    name: 'search-drain-probe-ignores-new',
    what: "SQLite's check before a full-text drain overlooks papers above the high-water mark, so a new paper is never indexed",
    file: 'src/store/search.ts',
    search: 'exists (select 1 from papers where rowid > (select indexed_rowid from search_state))) as work',
    replace: 'exists (select 1 from papers where 0)) as work',
    tests: ['tests/search/drain-probe.test.ts'],
  },
  {
    name: 'statement-cache-shared-iterator',
    what: 'a stream (`iterate`) reads through the cached statement, which another query with the same SQL then finds busy',
    file: 'src/store/statement-cache.ts',
    search: 'iterate: (parameters) => sqlite.prepare(sql).iterate(parameters),',
    replace: 'iterate: (parameters) => compiled.iterate(parameters),',
    tests: ['tests/store/statement-cache.test.ts'],
  },
  {
    name: 'rate-limit-memory-no-cap',
    what: "a SQLite server's in-memory rate-limit counters count but never refuse: the API, feed, log-in and write limits are gone on SQLite",
    file: 'src/domain/rate-window.ts',
    search: 'return { allowed: w.count <= limit, count: w.count',
    replace: 'return { allowed: true, count: w.count',
    tests: ['tests/http/api-limits.test.ts', 'tests/domain/rate-window.test.ts'],
  },
  {
    name: 'rate-limit-memory-never-resets',
    what: "a SQLite server's in-memory counter keeps counting across windows: a client limited once stays limited until the restart",
    file: 'src/domain/rate-window.ts',
    search: 'if (!w || w.start !== start) {',
    replace: 'if (!w) {',
    tests: ['tests/domain/rate-window.test.ts'],
  },
  {
    name: 'sqlite-rate-limit-row-per-read',
    what: 'on SQLite every API and feed read writes its rate-limit row, and waits for any other process holding the write lock (issue 19)',
    file: 'src/services/rate-limits.ts',
    search: "this.memory = store.dialect === 'sqlite' ? new FixedWindowCounters() : null;",
    replace: 'this.memory = null;',
    tests: ['tests/http/other-writer-read-path.test.ts'],
  },
  {
    name: 'token-last-used-every-read',
    what: "a token's every read writes its last-used time, and on SQLite waits for another process's write lock (issue 19)",
    file: 'src/store/api-tokens.ts',
    search: 'const stale = !r.t_last_used_at || ',
    replace: 'const stale = true || ',
    tests: ['tests/http/other-writer-read-path.test.ts'],
  },
  {
    name: 'similar-candidates-hidden',
    what: "similar papers' one read of their candidates (visibility and stored term vectors) no longer applies the visible-paper rule, so a hidden paper is ranked into a paper's similar list",
    file: 'src/store/search.ts',
    search: "      .where(textIn(this.db, 'p.id', [...new Set(paperIds)]))\n      .where(visiblePaper('p'))",
    replace: "      .where(textIn(this.db, 'p.id', [...new Set(paperIds)]))",
    tests: ['tests/search/similar-stored-terms.test.ts'],
  },
  {
    name: 'similar-terms-stale-text',
    what: "a stored term vector is used after its paper's text changed (its content hash is not compared), so similar papers are scored from the old text",
    file: 'src/store/search.ts',
    search: ".on('t.embedder_id', '=', embedderId ?? '').onRef('t.content_hash', '=', 'p.content_hash'))",
    replace: ".on('t.embedder_id', '=', embedderId ?? ''))",
    tests: ['tests/search/similar-stored-terms.test.ts'],
  },
  {
    name: 'embed-skip-ignores-new-papers',
    what: "the minute-by-minute embedding pass is skipped once it found nothing, whatever papers arrived since, so new papers never get a vector (nor similar papers their term vector)",
    file: 'src/services/search-index.ts',
    search: 'const embedded = this.embeddedUpTo?.embedderId === target.id && this.embeddedUpTo.mark === mark;',
    replace: 'const embedded = this.embeddedUpTo?.embedderId === target.id;',
    tests: ['tests/search/similar-stored-terms.test.ts'],
  },
  {
    name: 'search-catch-up-waits-for-lock',
    what: "the full-text catch-up before a search waits for another process's write lock (up to the search's budget), so a search during an import or reindex waits with it (issue 19)",
    file: 'src/services/search-index.ts',
    search: 'const run = this.keywordCatchUp({ waitForLock: false }).catch(',
    replace: 'const run = this.keywordCatchUp().catch(',
    tests: ['tests/http/search-catch-up-other-writer.test.ts'],
  },
  {
    name: 'sqlite-busy-handler-sleeps',
    what: "SQLite's busy handler waits for another process's write lock (busy_timeout 5 s): better-sqlite3 sleeps the whole process, so every request waits behind one write (issue 19)",
    file: 'src/store/sqlite-lock-wait.ts',
    search: "raw.pragma('busy_timeout = 0');",
    replace: "raw.pragma('busy_timeout = 5000');",
    tests: ['tests/http/writes-other-writer.test.ts', 'tests/http/search-catch-up-other-writer.test.ts'],
  },
  {
    name: 'sqlite-deferred-begin',
    what: 'SQLite transactions begin deferred: a vote inside one finds the lock held and fails at once instead of waiting for it (a lost write, 503)',
    file: 'src/store/sqlite-lock-wait.ts',
    search: "CompiledQuery.raw('begin immediate')",
    replace: "CompiledQuery.raw('begin')",
    tests: ['tests/http/writes-other-writer.test.ts'],
  },
  {
    name: 'lock-wait-keeps-connection',
    what: "a write waiting for another process's write lock keeps this process's one connection, so every read queues behind it",
    file: 'src/store/sqlite-lock-wait.ts',
    search: '      await super.releaseConnection();\n      await new Promise((r) => setTimeout(r, pause));\n      await super.acquireConnection();',
    replace: '      await new Promise((r) => setTimeout(r, pause));',
    tests: ['tests/http/writes-other-writer.test.ts'],
  },
  {
    name: 'store-busy-says-unreachable',
    what: 'a write refused because another process held the lock past the wait is answered as "the database is unreachable" instead of a busy 503 saying nothing was changed',
    file: 'src/http/app.ts',
    search: 'const busy = !full && isStoreBusy(err);',
    replace: 'const busy = false;',
    tests: ['tests/http/writes-other-writer.test.ts'],
  },
  {
    name: 'term-vectors-not-backfilled',
    what: 'a store embedded before migration 1800 never gets its term vectors without a reindex, so every paper page analyses ~280 texts',
    file: 'src/services/search-index.ts',
    search: 'const backfill = hasTermVectors(target) && this.termsBackfilledFor !== target.id;',
    replace: 'const backfill = false;',
    tests: ['tests/search/term-vector-backfill.test.ts'],
  },
  {
    name: 'term-vector-statistics-not-refreshed',
    what: "after a reindex or a large re-embed only the vectors' planner statistics are refreshed, not the term vectors' that every paper page reads (~280 rows a page) — PostgreSQL plans that read blind",
    file: 'src/store/search.ts',
    search: 'analyze paper_embeddings, paper_term_vectors',
    replace: 'analyze paper_embeddings',
    tests: ['tests/search/embeddings-write.test.ts'],
  },
  {
    name: 'similar-list-hidden',
    what: "a paper page reads the papers of its stored similar-papers list without the visible-paper rule, so a paper hidden after the list was written is shown",
    file: 'src/services/search.ts',
    search: 'const papers = await this.visibleById(stored.list.slice(0, n).map((h) => h.id));',
    replace: 'const papers = new Map((await this.store.papers.getMany(stored.list.slice(0, n).map((h) => h.id))).map((p) => [p.id, p]));',
    tests: ['tests/search/similar-lists.test.ts'],
  },
  {
    name: 'similar-list-stale-text',
    what: "a stored similar-papers list is used whatever text it was computed from, so a paper whose title or abstract changed keeps the list of its old text",
    file: 'src/store/similar-lists.ts',
    search: 'row.list !== null && row.listHash === row.hash ?',
    replace: 'row.list !== null ?',
    tests: ['tests/search/similar-lists.test.ts'],
  },
  {
    name: 'similar-list-job-skips-neighbours',
    what: "the background similar-lists job computes a new paper's own list but not the lists it belongs in, so the new paper never shows on its neighbours' pages until a reindex",
    file: 'src/services/similar-lists.ts',
    search: 'const refresh = [...named].slice(0, Math.max(0, PER_RUN - computed));',
    replace: 'const refresh: string[] = [];',
    tests: ['tests/search/similar-lists.test.ts'],
  },
  {
    name: 'similar-list-job-no-yield',
    what: 'the similar-lists job computes a whole chunk of lists without handing the event loop back between them, so on SQLite a run holds its serving process for the whole chunk',
    file: 'src/services/search.ts',
    search: '// background job runs in a serving process (a chunk of 250 lists held it for seconds).\n      await nextSlice();',
    replace: '// background job runs in a serving process (a chunk of 250 lists held it for seconds).',
    tests: ['tests/search/similar-lists.test.ts'],
  },
  {
    name: 'similar-late-ranking-not-aborted',
    what: "a paper page that stopped waiting for its similar papers no longer stops the ranking: it goes on reading and scoring candidates nobody will see",
    file: 'src/services/search.ts',
    search: '    signal?.throwIfAborted();\n    const ids = [...new Set(',
    replace: '    const ids = [...new Set(',
    tests: ['tests/search/similar-lists.test.ts'],
  },
  {
    name: 'similar-fallback-cached-as-page',
    what: "a paper page showing same-day papers because its similar papers were late is cached for PAGE_CACHE_SECONDS like the paper's real page",
    file: 'src/http/routes/pages.tsx',
    search: 'if (!similar.complete) pageFreshFor(c, SIMILAR_FALLBACK_CACHE_MS);',
    replace: 'void pageFreshFor; void SIMILAR_FALLBACK_CACHE_MS;',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'page-cache-short-ttl-ignored',
    what: 'the page cache serves a page for its whole time to live though the route asked for less (pageFreshFor)',
    file: 'src/http/page-cache.ts',
    search: 'const expired = age >= Math.min(this.opts.ttlMs, e.ttlMs ?? Infinity);',
    replace: 'const expired = age >= this.opts.ttlMs;',
    tests: ['tests/http/page-cache.test.ts'],
  },
  {
    name: 'papers-to-embed-unsliced',
    what: "the embedding job's check and batches read every paper in one statement on SQLite, so with few papers pending each minute's check holds a serving process's request thread ~200 ms at 75k papers",
    file: 'src/store/search.ts',
    search: "if (dialectOf(this.db) !== 'sqlite') return (await pending(afterId, undefined, limit)).map(toText);",
    replace: 'return (await pending(afterId, undefined, limit)).map(toText);',
    tests: ['tests/store/papers-to-embed.test.ts'],
  },
  {
    name: 'count-to-embed-unsliced',
    what: "the embedding job's count of pending papers (at its start and end) reads every paper in one statement on SQLite again, ~200 ms of a serving process's request thread at 75k papers",
    file: 'src/store/search.ts',
    search: "if (dialectOf(this.db) !== 'sqlite') return count();",
    replace: 'return count();',
    tests: ['tests/store/papers-to-embed.test.ts'],
  },
  {
    name: 'keyword-catch-up-one-turn',
    what: "the keyword index's catch-up analyses every changed paper of a store slice in one turn of the event loop again (a harvest's 300 papers: 173 ms of a SQLite serving process's request thread)",
    file: 'src/search/inverted-index-engine.ts',
    search: 'if (changed && changed % APPLY_PER_TURN === 0) await nextSlice();',
    replace: 'void APPLY_PER_TURN;',
    tests: ['tests/search/keyword-catch-up-turns.test.ts'],
  },
  {
    name: 'count-modified-since-big-slices',
    what: "the keyword-index job's check counts modified papers 50,000 rows per statement on SQLite again, holding a serving process's request thread 72-155 ms at 75k papers",
    file: 'src/store/papers.ts',
    search: 'cap: number, sliceRows = 2_000): Promise<number> {',
    replace: 'cap: number, sliceRows = 50_000): Promise<number> {',
    tests: ['tests/store/modified-since.test.ts'],
  },
  {
    name: 'rate-limit-commit-waits-for-flush',
    what: "a PostgreSQL rate-limit hit commits synchronously again: every API request of one client waits for the WAL flushes of the ones before it (the row's lock is held through each flush)",
    file: 'src/store/rate-limits.ts',
    search: "sql`(select set_config('synchronous_commit', 'off', true)) as relaxed`",
    replace: "sql`(select set_config('synchronous_commit', 'on', true)) as relaxed`",
    tests: ['tests/store/rate-limit-commit.test.ts'],
  },
  {
    name: 'rate-limit-relaxes-enclosing-transaction',
    what: "a rate-limit hit inside a transaction turns off synchronous commit for everything that transaction writes",
    file: 'src/store/rate-limits.ts',
    search: "dialectOf(db) === 'postgres' && !db.isTransaction",
    replace: "dialectOf(db) === 'postgres'",
    tests: ['tests/store/rate-limit-commit.test.ts'],
  },
  {
    name: 'local-model-opened-at-once',
    what: 'the stored offline model is opened in one go again: its header parse and feature tables hold a serving process ~170-300 ms at 75k papers',
    file: 'src/search/local-embedder-provider.ts',
    search: 'return m ? LocalEmbedder.fromBufferSliced(m.data) : null;',
    replace: 'return m ? LocalEmbedder.fromBuffer(m.data) : null;',
    tests: ['tests/search/local-embedder-open-event-loop.test.ts'],
  },
  {
    name: 'local-model-pieces-unchecked',
    what: 'a model read in pieces is not checked against a model saved meanwhile: pieces of two models are returned as one',
    file: 'src/store/search.ts',
    search: "          .where('trained_at', '=', r.trained_at)\n          .executeTakeFirst();\n        if (!piece || piece.piece.length !== Math.min(MODEL_PIECE_BYTES, data.length - at)) {\n          whole = false;\n          break;\n        }\n        data.set(piece.piece, at);\n        await nextSlice();\n      }\n      const now = await head();\n      if (whole && now && now.trained_at === r.trained_at && ",
    replace: "          .executeTakeFirst();\n        if (!piece || piece.piece.length !== Math.min(MODEL_PIECE_BYTES, data.length - at)) {\n          whole = false;\n          break;\n        }\n        data.set(piece.piece, at);\n        await nextSlice();\n      }\n      const now = await head();\n      if (whole && now && ",
    tests: ['tests/search/local-embedder-open-event-loop.test.ts'],
  },
  {
    name: 'upvote-counter-unconditional',
    what: "a vote moves the paper's counter even when the vote row was already there (or already gone): a repeated upvote counts twice",
    file: 'src/store/upvotes.ts',
    search: "const row = changed\n        ? await trx.updateTable('papers')",
    replace: "const row = true\n        ? await trx.updateTable('papers')",
    tests: ['tests/community/upvotes.test.ts'],
  },
  {
    name: 'packed-paper-backslash-unescaped',
    what: "packing a paper straight to its COPY line skips COPY's escapes when its only special character is a backslash (\\alpha in an abstract arrives as alpha, a \\N field as a null)",
    file: 'src/store/packed-rows.ts',
    search: 'const NEEDS_ESCAPE = /[\\\\\\t\\n\\r]/;',
    replace: 'const NEEDS_ESCAPE = /[\\t\\n\\r]/;',
    tests: ['tests/store/packed-rows.test.ts'],
  },
  {
    name: 'packed-paper-nul-unchecked',
    what: 'a paper packed straight to its COPY line with nothing to escape is not checked for a NUL, which PostgreSQL refuses for the whole batch',
    file: 'src/store/packed-rows.ts',
    search: "    if (plain && line.includes('\\u0000')) throw new Error('a NUL character cannot be stored');\n",
    replace: '',
    tests: ['tests/store/packed-rows.test.ts'],
  },
  {
    name: 'paper-text-lone-surrogates-kept',
    what: 'an imported text keeps its lone surrogates: SQLite stores three U+FFFD where PostgreSQL stores one, so the two stores hold different text',
    file: 'src/domain/text.ts',
    search: '  if (!(s as WellFormable).isWellFormed()) s = (s as WellFormable).toWellFormed();\n',
    replace: '',
    tests: ['tests/ingest/import-workers-rows.test.ts'],
  },
  {
    name: 'local-embed-batch-at-once',
    what: "the local model embeds a batch without handing the loop back: the embedding job's 128 papers hold a serving process 127-216 ms at 75k",
    file: 'src/search/local-embedder.ts',
    search: '      if (i) yield;\n      if (!withTerms) {',
    replace: '      if (i < 0) yield;\n      if (!withTerms) {',
    tests: ['tests/search/local-embedder-embed-event-loop.test.ts'],
  },
  {
    name: 'model-read-in-pieces-on-request-thread',
    what: "a SQLite file's stored model is read in 1 MB substr() pieces on the request thread again: each loads the whole blob (157-460 ms held at 75k)",
    file: 'src/store/search.ts',
    search: 'if (this.bulk && !this.bulk.raw.memory) {',
    replace: 'if (this.bulk && !this.bulk.raw.memory && Math.random() > 2) {',
    tests: ['tests/store/model-read-thread.test.ts'],
  },
  {
    name: 'fts-drain-one-transaction',
    what: "a harvest's full-text rows are written in one SQLite transaction again: 300 papers hold a serving process's request thread ~150 ms",
    file: 'src/store/search.ts',
    search: 'ids.length < DRAIN_SLICED_ROWS ? Math.min(batch, DRAIN_SLICE_ROWS) : batch;',
    replace: 'ids.length < DRAIN_SLICED_ROWS ? batch : batch;',
    tests: ['tests/search/keyword-catch-up-holds.test.ts'],
  },
  {
    name: 'keyword-catch-up-applied-at-once',
    what: "the papers of the full-text queue are analysed into the in-memory index at once again: a harvest's 300 hold the request thread ~170 ms",
    file: 'src/search/inverted-index-engine.ts',
    search: 'if (j && j % APPLY_PER_TURN === 0) await nextSlice();',
    replace: 'if (j < 0) await nextSlice();',
    tests: ['tests/search/keyword-catch-up-holds.test.ts'],
  },
  {
    name: 'bench-server-exit-unwatched',
    what: "a load bench's server that exits (its port taken: EADDRINUSE) no longer fails the bench's waits: run.ts polls the dead port for the whole readiness wait",
    file: 'bench/load/server-processes.ts',
    search: '      if (this.stopping) return;\n',
    replace: '      if (this.stopping || !this.stopping) return;\n',
    tests: ['tests/bench/server-processes.test.ts'],
  },
  {
    name: 'pg-statements-unprepared',
    what: 'PostgreSQL parses and plans every statement anew again (unnamed statements): a paper page is ten parses and plans',
    file: 'src/store/db.ts',
    search: 'const Preparing = preparingClient(pg.Client);',
    replace: 'const Preparing = pg.Client;',
    tests: ['tests/store/pg-prepared.test.ts'],
  },
  {
    name: 'pg-prepared-unbounded',
    what: "a connection keeps every statement text it ever prepared (each in-list length its own): the server's memory grows without end",
    file: 'src/store/pg-prepared.ts',
    search: 'if (this.names.size > size) {',
    replace: 'if (this.names.size > size * 1000) {',
    tests: ['tests/store/pg-prepared.test.ts'],
  },
  {
    name: 'pg-prepared-stale-result-type',
    what: "a prepared select * fails for good once a migration added a column under it (0A000, cached plan must not change result type)",
    file: 'src/store/pg-prepared.ts',
    search: 'if (err?.code !== RESULT_TYPE_CHANGED) throw err;',
    replace: 'throw err;',
    tests: ['tests/store/pg-prepared.test.ts'],
  },
  {
    name: 'paper-page-entry-read-alone',
    what: "a paper page reads its feed entry in a statement of its own again, after the paper (one more round trip a page on PostgreSQL)",
    file: 'src/services/papers.ts',
    search: 'const { paper, entry } = found;',
    replace: 'const { paper } = found;\n    const entry = await this.store.feed.entryFor(id);',
    tests: ['tests/http/paper-page-statements.test.ts'],
  },
  {
    name: 'upvote-limits-apart',
    what: "an upvote's per-address and per-account limits are two statements and two commits again on PostgreSQL",
    file: 'src/http/middleware/limits.ts',
    search: 'return [rateLimits([ipRule(kind, spec.ip), userRule(kind, spec.user)])];',
    replace: 'return [perIp(kind, spec.ip), perUser(kind, spec.user)];',
    tests: ['tests/community/upvote-rate-limits.test.ts'],
  },
  {
    name: 'fts-side-build-over-used-index',
    what: "a first import's full-text index written beside it replaces the store's even when another process's catch-up indexed papers meanwhile: a paper changed and caught up there comes back with its old text",
    file: 'src/store/full-text-side-build-worker.ts',
    search: '    if (mark !== 0 || used || !versions) return false;',
    replace: '    if (!versions) return false;',
    tests: ['tests/search/full-text-side-build.test.ts'],
  },
  {
    name: 'fts-side-build-no-docsize',
    what: "the full-text index written beside a first import is moved into the store without FTS5's per-document sizes: bm25 scores change and deleting a paper's entry later fails",
    file: 'src/store/full-text-side-build-worker.ts',
    search: "      for (const part of ['data', 'idx', 'docsize']) {",
    replace: "      for (const part of ['data', 'idx']) {",
    tests: ['tests/search/full-text-side-build.test.ts'],
  },
  {
    name: 'fts-side-build-mark-not-set',
    what: "the full-text index written beside a first import is moved into the store but the high-water mark stays at 0: the next catch-up indexes every paper a second time",
    file: 'src/store/full-text-side-build-worker.ts',
    search: "    db.prepare('update store.search_state set indexed_rowid = ? where id = 1').run(upTo);",
    replace: "    void upTo;",
    tests: ['tests/search/full-text-side-build.test.ts'],
  },
  {
    name: 'ann-small-batch-concurrent',
    what: "a small ANN batch is inserted on usearch's threads again: the graph, and the neighbours a search finds, differ from build to build",
    file: 'src/search/vector-index-thread.ts',
    search: 'm.keys.length < SMALL_BATCH ? 1 : 0',
    replace: '0',
    tests: ['tests/search/vector-index.test.ts'],
  },
  {
    name: 'drain-closes-listener-before-accepting',
    what: 'the drain closes the listening socket at once: connections the kernel queued before the signal are reset',
    file: 'src/http/server.ts',
    search: `    await afterNextPoll();
    // Stop listening,`,
    replace: '    // Stop listening,',
    tests: ['tests/http/server-drain.test.ts'],
  },
  {
    name: 'drain-closes-idle-before-reading',
    what: 'the drain closes idle-looking connections without a poll first: a request whose bytes arrived unread is reset',
    file: 'src/http/server.ts',
    search: `        await afterNextPoll();
        if (idle()) server.closeIdleConnections();`,
    replace: '        if (idle()) server.closeIdleConnections();',
    tests: ['tests/http/server-drain.test.ts'],
  },
];

const ROOT = path.resolve(import.meta.dirname, '..');
const ORIG = '.mutant-orig';
let current: { file: string; original: string } | null = null;
let child: ChildProcess | null = null;

function restore(): void {
  if (!current) return;
  fs.writeFileSync(current.file, current.original);
  fs.rmSync(current.file + ORIG, { force: true });
  current = null;
}

/** A file left mutated by a hard kill of an earlier run is put back from its copy. */
function recoverLeftovers(): void {
  for (const m of MUTANTS) {
    const file = path.join(ROOT, m.file);
    if (fs.existsSync(file + ORIG)) {
      fs.copyFileSync(file + ORIG, file);
      fs.rmSync(file + ORIG);
      console.log(`restored ${m.file} left mutated by an earlier run`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    child?.kill('SIGTERM');
    restore();
    console.log(`\n${signal}: stopped; ${current ? '' : 'source files restored'}`);
    process.exit(130);
  });
}
process.on('exit', restore);

function runTests(files: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    child = spawn('bash', ['scripts/test.sh', ...files], { cwd: ROOT, env: { ...process.env, TEST_CONCURRENCY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.on('exit', (code, signal) => {
      child = null;
      resolve({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}

type Outcome = 'caught' | 'SURVIVED' | 'STALE';

async function check(m: Mutant): Promise<{ outcome: Outcome; detail: string; seconds: number }> {
  const file = path.join(ROOT, m.file);
  const original = fs.readFileSync(file, 'utf8');
  const at = original.indexOf(m.search);
  if (at < 0 || original.indexOf(m.search, at + 1) >= 0) {
    return { outcome: 'STALE', detail: at < 0 ? 'search text not found' : 'search text found more than once', seconds: 0 };
  }
  const t0 = Date.now();
  fs.writeFileSync(file + ORIG, original);
  current = { file, original };
  try {
    fs.writeFileSync(file, original.slice(0, at) + m.replace + original.slice(at + m.search.length));
    const { code, output } = await runTests(m.tests);
    const failed = output.split('\n').find((l) => /^\s*✖/.test(l))?.trim() ?? `exit ${code}`;
    return { outcome: code === 0 ? 'SURVIVED' : 'caught', detail: code === 0 ? 'every test passed' : failed.slice(0, 140), seconds: (Date.now() - t0) / 1000 };
  } finally {
    restore();
    if (fs.readFileSync(file, 'utf8') !== original) throw new Error(`could not restore ${m.file}`);
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    for (const m of MUTANTS) console.log(`${m.name.padEnd(36)} ${m.file.padEnd(48)} ${m.what}`);
    return 0;
  }
  if (args.includes('--check')) {
    // Without running anything: each mutant's text is in its file exactly once and its tests exist.
    const stale = MUTANTS.flatMap((m) => {
      const found = fs.readFileSync(path.join(ROOT, m.file), 'utf8').split(m.search).length - 1;
      const missing = m.tests.filter((t) => !fs.existsSync(path.join(ROOT, t)));
      return [...(found === 1 ? [] : [`${m.name}: its text occurs ${found} times in ${m.file}`]), ...missing.map((t) => `${m.name}: no test file ${t}`)];
    });
    for (const line of stale) console.log(line);
    console.log(`${MUTANTS.length} mutants, ${stale.length} stale`);
    return stale.length ? 1 : 0;
  }
  recoverLeftovers();
  const chosen = args.length ? MUTANTS.filter((m) => args.some((a) => m.name.includes(a))) : MUTANTS;
  if (!chosen.length) {
    console.error(`no mutant matches ${args.join(' ')}`);
    return 2;
  }
  console.log(`${chosen.length} mutants, one at a time (each runs its tests on SQLite and PostgreSQL)\n`);
  const results: { m: Mutant; outcome: Outcome }[] = [];
  for (const m of chosen) {
    const r = await check(m);
    results.push({ m, outcome: r.outcome });
    console.log(`${r.outcome.padEnd(8)} ${m.name.padEnd(36)} ${r.seconds.toFixed(0).padStart(4)} s  ${m.what}\n         ${' '.repeat(36)}        ${r.detail}`);
  }
  const bad = results.filter((r) => r.outcome !== 'caught');
  console.log(`\n${results.length - bad.length} of ${results.length} mutants caught${bad.length ? `; not caught: ${bad.map((r) => `${r.m.name} (${r.outcome})`).join(', ')}` : ''}`);
  return bad.length ? 1 : 0;
}

process.exitCode = await main();
