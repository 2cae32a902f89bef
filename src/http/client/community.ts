/** /community.js: the upvote enhancement on its own, for pages that load it without the site bundle. */
import { setupUpvotes } from './upvote.ts';

setupUpvotes();
