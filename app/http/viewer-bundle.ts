// The built viewer page the node serves: dist/viewer/ (common/install-layout.ts), written by
// scripts/build-viewer.ts (`npm run build`). Read once when the node starts; a node without it still
// plays streams and says, in words, how to build the page.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { builtPath } from '../../common/install-layout.js';

/** The files of a built page, by role. */
export const VIEWER_FILES = {
  page: 'index.html',
  script: 'viewer.js',
  sourceMap: 'viewer.js.map',
  style: 'viewer.css',
} as const;

export type ViewerFile = keyof typeof VIEWER_FILES;

export const VIEWER_CONTENT_TYPES: Record<ViewerFile, string> = {
  page: 'text/html; charset=utf-8',
  script: 'text/javascript; charset=utf-8',
  sourceMap: 'application/json; charset=utf-8',
  style: 'text/css; charset=utf-8',
};

export type ViewerBundle = { ok: true; files: Record<ViewerFile, Buffer> } | { ok: false; message: string };

export function loadViewerBundle(dir: string = builtPath('viewer')): ViewerBundle {
  const files: Partial<Record<ViewerFile, Buffer>> = {};
  for (const [role, name] of Object.entries(VIEWER_FILES) as [ViewerFile, string][]) {
    try {
      files[role] = readFileSync(path.join(dir, name));
    } catch {
      return { ok: false, message: `The viewer page is not built (${path.join(dir, name)} is missing): run \`npm run build\`. Until then the node plays streams but / shows this message.` };
    }
  }
  return { ok: true, files: files as Record<ViewerFile, Buffer> };
}
