// The brand used when no cluster profile sets one: assets/brand/brand.json and its logo, read
// once at startup and turned into the contract's Brand (the logo as a data: URL, so the renderer
// needs nothing but its own origin).
import fs from 'node:fs';
import path from 'node:path';
import { type Brand, brandSchema, defaultBrand } from '../../common/profile.js';

const logoTypes: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

export function loadBrand(brandDir: string): Brand {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(brandDir, 'brand.json'), 'utf8')) as Record<string, unknown>;
    let logo: string | undefined;
    if (typeof raw.logo === 'string') {
      const file = path.join(brandDir, path.basename(raw.logo));
      const type = logoTypes[path.extname(file).toLowerCase()];
      if (type && fs.existsSync(file)) logo = `data:${type};base64,${fs.readFileSync(file).toString('base64')}`;
    }
    const parsed = brandSchema.safeParse({ ...raw, logo });
    return parsed.success ? parsed.data : defaultBrand;
  } catch {
    return defaultBrand;
  }
}
