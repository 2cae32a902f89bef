import { createContext } from 'hono/jsx';
import type { User } from '../../domain/community.ts';

/**
 * Who is signed in, for the layout's header: the site's routes provide it around a page so every
 * view need not pass it down. Pages rendered without it (community pages bring their own account
 * navigation) show no account links in the header.
 */
export interface AccountInfo {
  user: User | null;
  csrfToken: string;
}

export const AccountContext = createContext<AccountInfo | null>(null);
