// The viewer page's branding: a brand file (default assets/brand/) read with the shared schema
// (common/brand.ts: strict hex colours, a logo file next to it), and its logo's bytes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brandFileSchema, type BrandFile } from '../common/brand.js';
import { BrandError } from './errors.js';
import { formatZodError } from './config.js';

export type BrandInfo = BrandFile;

export interface Brand {
  info: BrandInfo;
  logo: { body: Buffer; contentType: string };
}

const TYPES: Record<string, string> = { svg: 'image/svg+xml', png: 'image/png', webp: 'image/webp', jpg: 'image/jpeg', jpeg: 'image/jpeg' };

export function loadBrand(file: string): Brand {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BrandError(`Cannot read brand file ${file}: ${(err as Error).message}`);
  }
  const parsed = brandFileSchema.safeParse(json);
  if (!parsed.success) throw new BrandError(formatZodError(parsed.error, `brand file ${file}`));
  const logoPath = path.join(path.dirname(file), parsed.data.logo);
  let body: Buffer;
  try {
    body = readFileSync(logoPath);
  } catch (err) {
    throw new BrandError(`Cannot read brand logo ${logoPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const ext = path.extname(logoPath).slice(1).toLowerCase();
  return { info: parsed.data, logo: { body, contentType: TYPES[ext] ?? 'application/octet-stream' } };
}
