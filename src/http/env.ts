import type { Logger } from '../logger.ts';
import type { Services } from '../services/index.ts';
import type { Session, TokenScope, User } from '../domain/community.ts';

/** What every request carries: the services and a logger tagged with its request id. */
export interface AppEnv {
  Variables: {
    services: Services;
    log: Logger;
    requestId: string;
    /** The signed-in account (session cookie or bearer token), or null. Banned accounts never appear here. */
    user: User | null;
    /** The cookie session, when the request came with one. */
    session: Session | null;
    /** How `user` was authenticated: bearer-token requests are exempt from CSRF checks. */
    authVia: 'session' | 'token' | null;
    /** What the bearer token may do (empty without one). */
    tokenScopes: TokenScope[];
    /** The CSRF token forms on this page must carry (`_csrf`); session-bound once logged in. */
    csrfToken: string;
    /** What the page being rendered depends on, for the anonymous page cache (`page-deps.ts`); unset: everything. */
    pageDeps: readonly string[] | undefined;
    /** How long the page cache may serve the page being rendered, when shorter than its time to live (`pageFreshFor`); unset: the cache's own. */
    pageTtlMs: number | undefined;
  };
}
