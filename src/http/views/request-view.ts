import { AsyncLocalStorage } from 'node:async_hooks';
import type { User } from '../../domain/community.ts';
import type { Flash } from '../../services/flash.ts';

/**
 * What the page shell needs from the request it renders for — who is signed in, the CSRF token for
 * the header's forms, the flash message waiting for this page, the path (for "log in" links that
 * come back) — set once per request by the `pageView()` middleware, so no view has to pass it down.
 */
export interface RequestView {
  user: User | null;
  csrfToken: string;
  path: string;
  flash: Flash | null;
  /** Set by the layout once it has shown the flash, so the middleware can use it up. */
  flashShown: boolean;
  /** The signed-in reader's unread notifications (one indexed count per page; 0 signed out). */
  unread: number;
}

export const requestViews = new AsyncLocalStorage<RequestView>();

export const currentView = (): RequestView | undefined => requestViews.getStore();
