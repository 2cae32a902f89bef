import { createHash, randomBytes } from 'node:crypto';

/** A random secret, URL-safe: session ids, API tokens, reset tokens, CSRF tokens. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** What the store keeps instead of a secret. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
