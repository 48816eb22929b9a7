/**
 * The demo's artifact repository: a directory of packaged builds (`.tgz`) served over HTTP,
 * standing in for Nexus. The build job publishes here; qa-up and deploy download from the URL
 * in their ARTIFACT_URL parameter like any pipeline would, so a wrong URL really fails.
 */
import { createReadStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { run } from './exec.js';

export interface PublishedArtifact {
  file: string;
  url: string;
}

export interface ArtifactStore {
  readonly dir: string;
  /** Packs `sourceDir` into `<dir>/<file>` and returns its download URL. */
  publish(sourceDir: string, file: string, signal?: AbortSignal): Promise<PublishedArtifact>;
  /** Sends a stored artifact; false when `file` is not one (the caller answers 404). */
  serve(file: string, res: ServerResponse): boolean;
}

const FILE_NAME = /^[A-Za-z0-9._-]+\.tgz$/;

/** `baseUrl` ends in `/`: `<demo url>/artifacts/`. */
export function createArtifactStore(dir: string, baseUrl: string): ArtifactStore {
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    async publish(sourceDir, file, signal) {
      if (!FILE_NAME.test(file)) throw new Error(`not an artifact file name: ${file}`);
      // tar ships with every Linux and macOS (and Windows 10+); the demo needs no npm package for it.
      await run('tar', ['-czf', join(dir, file), '-C', sourceDir, '.'], signal ? { signal } : {});
      return { file, url: `${baseUrl}${file}` };
    },
    serve(file, res) {
      const path = join(dir, file);
      if (!FILE_NAME.test(file) || !existsSync(path)) return false;
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': statSync(path).size, 'content-disposition': `attachment; filename="${file}"` });
      createReadStream(path).pipe(res);
      return true;
    },
  };
}

/** What a deploying pipeline does first: download ARTIFACT_URL and unpack it into `destDir`. */
export async function downloadAndUnpack(url: string, destDir: string, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) });
  if (!res.ok) throw new Error(`downloading ${url}: HTTP ${res.status}`);
  const archive = `${destDir}.tgz`;
  mkdirSync(destDir, { recursive: true });
  writeFileSync(archive, Buffer.from(await res.arrayBuffer()));
  try {
    await run('tar', ['-xzf', archive, '-C', destDir], { signal });
  } finally {
    rmSync(archive, { force: true });
  }
}
