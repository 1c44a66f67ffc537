// Emits dist/sw.js: the service worker template with the list of files of this build (the app
// shell) and a version derived from them, so each build installs a fresh cache and drops the old.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

const TEMPLATE = new URL('./sw-template.js', import.meta.url);
// Files of public/ that belong to the shell (Vite does not list them in the bundle).
const PUBLIC_SHELL = ['/manifest.webmanifest', '/icon.svg', '/icon-192.png', '/icon-512.png'];

export function serviceWorker(): Plugin {
  return {
    name: 'motovault-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle)
        .filter((name) => !name.endsWith('.map') && !name.endsWith('.gz'))
        .map((name) => '/' + name);
      const shell = ['/', ...built.filter((name) => name !== '/index.html'), ...PUBLIC_SHELL];
      const version = createHash('sha256').update(shell.join('\n')).digest('hex').slice(0, 12);
      const source = readFileSync(TEMPLATE, 'utf8')
        .replace('__SHELL_FILES__', JSON.stringify(shell))
        .replace('__VERSION__', JSON.stringify(version));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}
