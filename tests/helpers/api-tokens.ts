import type { Services } from '../../src/services/index.ts';
import type { Store } from '../../src/store/store.ts';

/** The part of the accounts service these tests use, when the community feature is present. */
interface Accounts {
  createAccount(input: { username: string; email: string; password: string }): Promise<{ id: number; role: 'member' | 'admin' }>;
  createApiToken(user: { id: number; role: 'member' | 'admin' }, name: string, opts?: { scopes?: ('read' | 'write' | 'admin')[] }): Promise<{ token: string }>;
}

/**
 * `Authorization` header values for API tests. With accounts (the community feature), real
 * tokens of one new account — made an admin when asked, so admin routes can be called too;
 * without it, made-up bearer values (nothing checks them then, and the limits count them alike).
 */
export async function apiAuthorizations({ services, store }: { services: Services; store: Store }, n: number, opts: { username?: string; admin?: boolean } = {}): Promise<string[]> {
  const accounts = (services as unknown as { accounts?: Accounts }).accounts;
  if (!accounts) return Array.from({ length: n }, (_, i) => `Bearer made-up-token-${i}`);
  const username = opts.username ?? `api${Math.random().toString(36).slice(2, 10)}`;
  const user = await accounts.createAccount({ username, email: `${username}@example.org`, password: 'correct horse battery staple' });
  if (opts.admin) await store.users.setRole(user.id, 'admin');
  const owner = { ...user, role: opts.admin ? ('admin' as const) : user.role };
  const scopes = opts.admin ? (['read', 'write', 'admin'] as const) : (['read', 'write'] as const);
  const out = [];
  for (let i = 0; i < n; i++) out.push(`Bearer ${(await accounts.createApiToken(owner, `test ${i}`, { scopes: [...scopes] })).token}`);
  return out;
}

/** Whether this build checks tokens (a made-up one is then refused). */
export const checksTokens = (services: Services) => Boolean((services as unknown as { accounts?: Accounts }).accounts);
