/** The community's objects as the rest of Paperboy sees them (never rows). */

export type Role = 'member' | 'admin';

export interface User {
  id: number;
  username: string;
  email: string;
  role: Role;
  banned: boolean;
  createdAt: string;
  /** The owner followed a mailed link to `email`: only then does the address link the account to anything (its subscription). */
  emailVerified: boolean;
}

export interface Session {
  userId: number;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  scopes: TokenScope[];
  expiresAt: string | null;
}

/** What an API token may do: `read` (GET/HEAD), `write` (every other method), `admin` (admin routes, only an admin's token). */
export type TokenScope = 'read' | 'write' | 'admin';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write', 'admin'];

export function parseScopes(stored: string): TokenScope[] {
  return stored.split(/\s+/).filter((s): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s));
}

export interface Comment {
  id: number;
  paperId: string;
  userId: number;
  username: string;
  parentId: number | null;
  /** Markdown source; empty once deleted. */
  body: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
}

export interface Collection {
  id: number;
  userId: number;
  owner: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  createdAt: string;
  paperCount: number;
}

export interface AuditEntry {
  id: number;
  actorId: number | null;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string;
  detail: string | null;
  createdAt: string;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
export const USERNAME_RULE = 'a username is 3 to 32 letters, digits, "_" or "-"';
