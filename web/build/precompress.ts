// Writes a .gz beside each text file of the build: the edge (aiohttp's FileResponse) sends it to
// browsers that accept gzip, so a phone downloads a third of the bytes without on-the-fly work.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const COMPRESSIBLE = /\.(js|css|html|svg|webmanifest|json)$/;

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'motovault-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      for (const file of filesUnder(outDir).filter((name) => COMPRESSIBLE.test(name))) {
        writeFileSync(file + '.gz', gzipSync(readFileSync(file), { level: 9 }));
      }
    },
  };
}
