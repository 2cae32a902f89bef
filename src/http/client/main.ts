/**
 * The site's only script, bundled by esbuild. Every page works without it: it only enhances
 * (theme toggle, upvote without reload, search suggestions, j/k between papers, copy the BibTeX).
 */
import { setupTheme } from './theme.ts';
import { setupUpvotes } from './upvote.ts';
import { setupSuggestions } from './suggest.ts';
import { setupKeys } from './keys.ts';
import { setupCopy } from './copy.ts';

setupTheme();
setupUpvotes();
setupSuggestions();
setupKeys();
setupCopy();
