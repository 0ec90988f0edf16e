// The web console's build: `npm run build` runs it after the server's (tsc), into dist/console,
// which the server serves at /console (src/http/routes/console.ts). No source maps, no inlined
// assets (the page's CSP allows only files from 'self').
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'console',
  base: '/console/',
  publicDir: 'public',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
