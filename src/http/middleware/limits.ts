import type { MiddlewareHandler } from 'hono';
import type { Config, RateSpec } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { rateLimit, rateLimits, type RateLimitRule } from './rate-limit.ts';

const ipRule = (name: string, spec: RateSpec): RateLimitRule => ({ name: `${name}-ip`, limit: spec.limit, windowSeconds: spec.windowSeconds });
const userRule = (name: string, spec: RateSpec): RateLimitRule => ({ name: `${name}-user`, limit: spec.limit, windowSeconds: spec.windowSeconds, key: (c) => (c.var.user ? `user:${c.var.user.id}` : null) });

/** A write limit counted per client IP (`name-ip:ip:…`). */
export function perIp(name: string, spec: RateSpec): MiddlewareHandler<AppEnv> {
  return rateLimit(ipRule(name, spec));
}

/** A write limit counted per signed-in account; requests without an account are not counted here. */
export function perUser(name: string, spec: RateSpec): MiddlewareHandler<AppEnv> {
  return rateLimit(userRule(name, spec));
}

/** The writes limited per account and per IP, each with its pair of settings. */
export type WriteKind = 'comment' | 'upvote' | 'submit' | 'discovery' | 'claim' | 'report' | 'library-import' | 'zotero' | 'seen';

/** One account setting, and an IP (a lab behind one address) gets five accounts' worth. */
const fiveAccountsPerIp = (user: RateSpec) => ({ ip: { limit: user.limit * 5, windowSeconds: user.windowSeconds }, user });

const WRITE_SPECS: Record<WriteKind, (config: Config) => { ip: RateSpec; user: RateSpec }> = {
  comment: (c) => ({ ip: c.rateCommentIp, user: c.rateCommentUser }),
  upvote: (c) => ({ ip: c.rateUpvoteIp, user: c.rateUpvoteUser }),
  submit: (c) => ({ ip: c.rateSubmitIp, user: c.rateSubmitUser }),
  discovery: (c) => fiveAccountsPerIp(c.rateDiscoveryUser),
  // Author claims, author-set links and organisation declarations: moderators read every claim.
  claim: (c) => fiveAccountsPerIp(c.rateClaimUser),
  // Reports to the moderators, from the form and the API alike.
  report: (c) => fiveAccountsPerIp(c.rateReportUser),
  // Importing a BibTeX/RIS file and syncing a Zotero library share a setting, each its own budget.
  'library-import': (c) => fiveAccountsPerIp(c.rateLibraryImportUser),
  zotero: (c) => fiveAccountsPerIp(c.rateLibraryImportUser),
  // Marking a paper seen is as cheap and as frequent as an upvote.
  seen: (c) => fiveAccountsPerIp(c.rateUpvoteUser),
};

/** The preset for a kind of write: its per-IP and per-account limits, for the API route and the form alike. */
export function writeLimits(config: Config, kind: WriteKind): MiddlewareHandler<AppEnv>[] {
  const spec = WRITE_SPECS[kind](config);
  // Both counted in one statement on PostgreSQL (`rateLimits`); the keys are those of perIp and perUser.
  return [rateLimits([ipRule(kind, spec.ip), userRule(kind, spec.user)])];
}

/** The anonymous requests limited per IP only: the forms (sign-up, log-in, password reset) and thumbnail images. */
export type AnonymousKind = 'signup' | 'login' | 'reset' | 'thumbs';

const ANONYMOUS_SPECS: Record<AnonymousKind, (config: Config) => RateSpec> = {
  signup: (c) => c.rateSignupIp,
  login: (c) => c.rateLoginIp,
  reset: (c) => c.rateResetIp,
  thumbs: (c) => c.rateThumbsIp,
};

/** The preset for an anonymous kind of request: its per-IP limit. */
export function anonymousLimit(config: Config, kind: AnonymousKind): MiddlewareHandler<AppEnv> {
  return perIp(kind, ANONYMOUS_SPECS[kind](config));
}

/** Subscribing by e-mail (the API and the form): per IP, a fixed budget. */
export const SUBSCRIBE_LIMIT = { name: 'subscribe', limit: 30, windowSeconds: 600 };
