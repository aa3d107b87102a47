// The viewer page's branding: name, colours and logo from a brand file (default assets/brand/).
// Colours are strict hex so nothing from the file can smuggle CSS or markup into the page.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BrandError } from './errors.js';
import { formatZodError } from './config.js';

const hex = z.string().regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/, 'Colours are hex, like #1b2a41');

export const brandSchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    tagline: z.string().trim().max(160).optional(),
    logo: z.string().regex(/^[A-Za-z0-9_.-]+\.(svg|png|webp|jpe?g)$/, 'The logo is a file next to the brand file (svg, png, webp, jpg)'),
    colors: z.object({ background: hex, surface: hex, text: hex, muted: hex, accent: hex }).strict(),
  })
  .strict();

export type BrandInfo = z.infer<typeof brandSchema>;

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
  const parsed = brandSchema.safeParse(json);
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
