import { fileURLToPath } from 'node:url';

/** The demo model's directory (`serve --demo`), in a module of its own: the primary of `serve --workers N` prints it without loading the server. */
export const DEMO_DIR = fileURLToPath(new URL('../models/demo', import.meta.url));
