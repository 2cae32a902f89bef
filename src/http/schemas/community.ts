import { z } from 'zod';
import { PaperSchema } from './paper.ts';

export const UserSchema = z
  .object({ id: z.number().int(), username: z.string(), role: z.enum(['member', 'admin']), createdAt: z.string() })
  .meta({ id: 'User' });

export const SessionInfoSchema = z
  .object({ user: UserSchema, csrfToken: z.string().describe('send as X-CSRF-Token on cookie-authenticated writes') })
  .meta({ id: 'SessionInfo' });

export const SignupBody = z.object({ username: z.string().max(64), email: z.string().max(254), password: z.string().max(1024) });
export const LoginBody = z.object({ username: z.string().min(1).max(254).describe('username or e-mail'), password: z.string().max(1024) });
export const ResetRequestBody = z.object({ email: z.string().min(1).max(254) });
export const ResetConfirmBody = z.object({ token: z.string().min(1).max(200), password: z.string().max(1024) });

const TokenScopeSchema = z.enum(['read', 'write', 'admin']).describe('read: GET/HEAD; write: every other method; admin: admin routes (admins only)');
export const ApiTokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    scopes: z.array(TokenScopeSchema),
    expiresAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });
export const TokenCreatedSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  token: z.string().describe('shown once; send as Authorization: Bearer <token>'),
  scopes: z.array(TokenScopeSchema),
  expiresAt: z.string().nullable(),
});
export const TokenCreateBody = z.object({
  name: z.string().trim().max(100).default('token'),
  scopes: z.array(TokenScopeSchema).min(1).max(3).optional().describe('default ["read", "write"]'),
  expiresInDays: z.number().int().min(1).max(365).optional().describe('default and most: API_TOKEN_TTL_DAYS'),
});
export const SignupStartedSchema = z.object({ message: z.string() });
export const ConfirmAccountBody = z.object({ token: z.string().min(1).max(200) });
export const ConfirmedAccountSchema = z.object({
  user: UserSchema,
  csrfToken: z.string().optional().describe('after a sign-up: the new session is logged in (cookie); send as X-CSRF-Token'),
});

export const UpvoteStateSchema = z.object({ paperId: z.string(), upvoted: z.boolean(), upvotes: z.number().int() }).meta({ id: 'UpvoteState' });

export const CommentSchema = z
  .object({
    id: z.number().int(),
    paperId: z.string(),
    parentId: z.number().int().nullable(),
    author: z.string().nullable(),
    body: z.string().describe('Markdown source (empty when deleted)'),
    html: z.string().describe('sanitised HTML rendering of body'),
    createdAt: z.string(),
    editedAt: z.string().nullable(),
    deleted: z.boolean(),
  })
  .meta({ id: 'Comment' });
export const CommentListSchema = z.object({ paperId: z.string(), numComments: z.number().int(), comments: z.array(CommentSchema) });
export const CommentBody = z.object({
  body: z.string().max(20_000),
  parentId: z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
});
export const CommentEditBody = z.object({ body: z.string().max(20_000) });
export const CommentIdParams = z.object({ id: z.string().regex(/^\d+$/, 'expected a comment id').transform(Number) });

export const SubmitBody = z.object({ arxivId: z.string().max(300) });
export const SubmissionSchema = z.object({ day: z.string(), paper: PaperSchema }).meta({ id: 'Submission' });

export const CollectionSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    public: z.boolean(),
    owner: z.string(),
    paperCount: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'Collection' });
export const CollectionDetailSchema = z.object({ collection: CollectionSchema, papers: z.array(PaperSchema) });
export const CollectionCreateBody = z.object({
  name: z.string().max(200),
  description: z.string().max(2000).nullish(),
  public: z.boolean().default(false),
});
export const CollectionUpdateBody = z.object({ name: z.string().max(200).optional(), description: z.string().max(2000).nullish(), public: z.boolean().optional() });
export const CollectionIdParams = z.object({ id: z.string().regex(/^\d+$/, 'expected a collection id').transform(Number) });
export const CollectionPaperParams = z.object({ id: z.string().regex(/^\d+$/, 'expected a collection id').transform(Number), paperId: z.string().min(1).max(220) });
export const CollectionAddBody = z.object({ paperId: z.string().min(1).max(220) });

export const AuditEntrySchema = z
  .object({ id: z.number().int(), actor: z.string(), action: z.string(), targetType: z.string(), targetId: z.string(), detail: z.string().nullable(), createdAt: z.string() })
  .meta({ id: 'AuditEntry' });
export const HideBody = z.object({ hidden: z.boolean().default(true), reason: z.string().max(500).optional() });
export const BanBody = z.object({ banned: z.boolean().default(true), reason: z.string().max(500).optional() });
export const UsernameParams = z.object({ name: z.string().min(1).max(64) });

export const CollectionImportBody = z.object({
  text: z.string().min(1).max(1_000_000).describe('BibTeX or RIS text'),
  format: z.enum(['bib', 'ris']).optional().describe('detected from the text when absent'),
});
const ImportLine = z.object({ line: z.number().int() });
export const CollectionImportResultSchema = z
  .object({
    format: z.enum(['bib', 'ris']),
    entries: z.number().int(),
    added: z.array(ImportLine.extend({ paperId: z.string(), title: z.string(), by: z.enum(['arxiv', 'doi', 'title']) })),
    alreadyThere: z.array(ImportLine.extend({ paperId: z.string(), title: z.string() })),
    unmatched: z.array(ImportLine.extend({ title: z.string().nullable(), reason: z.string() })),
    errors: z.array(ImportLine.extend({ reason: z.string() })),
  })
  .meta({ id: 'CollectionImportResult' });
