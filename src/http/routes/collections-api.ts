import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { writeLimits } from '../middleware/limits.ts';
import type { Config } from '../../config.ts';
import { presentCollection } from '../presenters/community.ts';
import { presentPaper } from '../presenters/paper.ts';
import {
  CollectionAddBody,
  CollectionCreateBody,
  CollectionDetailSchema,
  CollectionIdParams,
  CollectionPaperParams,
  CollectionSchema,
  CollectionUpdateBody,
  CollectionImportBody,
  CollectionImportResultSchema,
} from '../schemas/community.ts';
import { paperIdFromPath } from '../params.ts';
import { listEnrichments } from '../list-enrichments.ts';

export function collectionApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  const tags = ['collections'];

  apiRoute(
    app,
    { method: 'get', path: '/api/collections', summary: 'Your collections, or the public ones of ?user=NAME', tags, query: z.object({ user: z.string().max(64).optional() }), response: z.object({ collections: z.array(CollectionSchema) }), auth: 'optional' },
    async (c, { query }) => {
      const { collections } = c.var.services;
      if (query.user) return { collections: (await collections.listPublicOf(query.user)).map(presentCollection) };
      if (!c.var.user) return { collections: [] };
      return { collections: (await collections.listOwn(c.var.user)).map(presentCollection) };
    },
  );

  apiRoute(
    app,
    { method: 'post', path: '/api/collections', summary: 'Create a collection', tags, body: CollectionCreateBody, response: CollectionSchema, status: 201, auth: 'user' },
    async (c, { body }) => c.json(presentCollection(await c.var.services.collections.create(c.var.user!, { name: body.name, description: body.description, isPublic: body.public })), 201),
  );

  apiRoute(
    app,
    { method: 'get', path: '/api/collections/{id}', summary: 'A collection and its papers (private ones: owner only)', tags, params: CollectionIdParams, response: CollectionDetailSchema, auth: 'optional', errors: { 404: 'no such collection (or private)' } },
    async (c, { params }) => {
      const { collection, papers } = await c.var.services.collections.get(c.var.user, params.id);
      const enriched = await listEnrichments(c, papers.map((p) => p.id));
      return { collection: presentCollection(collection), papers: papers.map((p) => presentPaper(p, enriched(p.id))) };
    },
  );

  apiRoute(
    app,
    { method: 'patch', path: '/api/collections/{id}', summary: 'Rename, describe or change visibility', tags, params: CollectionIdParams, body: CollectionUpdateBody, response: CollectionSchema, auth: 'user' },
    async (c, { params, body }) => presentCollection(await c.var.services.collections.update(c.var.user!, params.id, { name: body.name, description: body.description, isPublic: body.public })),
  );

  apiRoute(app, { method: 'delete', path: '/api/collections/{id}', summary: 'Delete a collection', tags, params: CollectionIdParams, status: 204, auth: 'user' }, async (c, { params }) => {
    await c.var.services.collections.delete(c.var.user!, params.id);
    return undefined;
  });

  apiRoute(
    app,
    { method: 'post', path: '/api/collections/{id}/papers', summary: 'Add a paper to a collection', tags, params: CollectionIdParams, body: CollectionAddBody, response: CollectionSchema, auth: 'user', errors: { 404: 'no such collection or paper' } },
    async (c, { params, body }) => presentCollection(await c.var.services.collections.addPaper(c.var.user!, params.id, paperIdFromPath(body.paperId))),
  );

  apiRoute(
    app,
    { method: 'delete', path: '/api/collections/{id}/papers/{paperId}', summary: 'Remove a paper from a collection (encode "/" in old-style ids as %2F)', tags, params: CollectionPaperParams, response: CollectionSchema, auth: 'user' },
    async (c, { params }) => presentCollection(await c.var.services.collections.removePaper(c.var.user!, params.id, paperIdFromPath(params.paperId))),
  );

  apiRoute(
    app,
    {
      method: 'post',
      path: '/api/collections/{id}/import',
      summary: 'Add papers from BibTeX or RIS (matched by arXiv id, DOI or exact title; unmatched and unreadable entries are listed by line)',
      tags,
      params: CollectionIdParams,
      body: CollectionImportBody,
      response: CollectionImportResultSchema,
      auth: 'user',
      errors: { 404: 'no such collection', 403: 'not your collection' },
    },
    ...writeLimits(config, 'library-import'),
    async (c, { params, body }) => c.var.services.library.import(c.var.user!, params.id, body.text, body.format),
  );

  return app;
}
