#!/usr/bin/env node
// Entry point of the installed CLI: the compiled code lives in dist/ (npm run build).
await import('../dist/cli/index.js');
