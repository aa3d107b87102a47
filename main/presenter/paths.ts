// Where the presenter app finds its files in a checkout: the repo root, assets and the built renderer.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ASSETS_DIR = path.join(REPO_ROOT, 'assets');
export const DEFAULT_RENDERER_DIR = path.join(REPO_ROOT, 'dist', 'renderer');
export const SLATE_IMAGE = path.join(ASSETS_DIR, 'icons', 'slate.png');
