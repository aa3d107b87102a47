// Where the presenter app finds its files: the root of the checkout (or unpacked app), its assets and
// the built renderer. The root comes from common/install-layout.ts, right both when the sources run
// (vitest) and when this file is part of a bundle in dist/ (`npm run build`).
import path from 'node:path';
import { INSTALL_ROOT, builtPath } from '../../common/install-layout.js';

export const REPO_ROOT = INSTALL_ROOT;
export const ASSETS_DIR = path.join(REPO_ROOT, 'assets');
export const DEFAULT_RENDERER_DIR = builtPath('renderer');
export const SLATE_IMAGE = path.join(ASSETS_DIR, 'icons', 'slate.png');
