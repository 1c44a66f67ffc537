/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { serviceWorker } from './build/service-worker';
import { precompress } from './build/precompress';

// The edge the dev server forwards API calls to (scripts/dev runs it on 8080).
const edge = process.env.MOTOVAULT_EDGE ?? 'http://127.0.0.1:8080';

export default defineConfig({
  // Vite compiles TSX with esbuild itself: no React plugin needed (it does not install everywhere).
  esbuild: { jsx: 'automatic' },
  server: {
    proxy: {
      '/api': edge,
      '/app-config.json': edge,
    },
  },
  build: {
    // Modern browsers only (ES2022 and module scripts): no legacy bundles, no inline polyfills.
    target: 'es2022',
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client" for server components; meaningless in a SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  plugins: [serviceWorker(), precompress()],
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
