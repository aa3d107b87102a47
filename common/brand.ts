// The brand: name, tagline, logo and colours, for the viewer page (from the node's brand file) and
// the presenter app (from a cluster profile or assets/brand/). One schema for every side; only where
// the logo lives differs: a file next to the brand file, a data: URL inside a profile, or a URL on
// the node for the page. Colours are strict hex (#rgb or #rrggbb), so nothing from a brand can
// smuggle CSS or markup into a page that sets them as custom properties.
import * as z from 'zod';
import { MAX_LOGO_CHARS } from './limits.js';

export const HEX_COLOR_PATTERN = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
export const MAX_BRAND_NAME_CHARS = 80;
export const MAX_BRAND_TAGLINE_CHARS = 160;

export const BRAND_COLOR_KEYS = ['background', 'surface', 'text', 'muted', 'accent'] as const;
export type BrandColorKey = (typeof BRAND_COLOR_KEYS)[number];

export function isHexColor(v: unknown): v is string {
  return typeof v === 'string' && HEX_COLOR_PATTERN.test(v);
}

export const hexColorSchema = z.string().regex(HEX_COLOR_PATTERN, 'Colours are hex, #rgb or #rrggbb, like #1b2a41');

/** Every colour is optional: a page's stylesheet has its own default for each. Unknown keys are refused (a typo would be lost). */
export const brandColorsSchema = z
  .object(Object.fromEntries(BRAND_COLOR_KEYS.map((k) => [k, hexColorSchema.optional()])) as Record<BrandColorKey, z.ZodOptional<typeof hexColorSchema>>)
  .strict();
export type BrandColors = z.infer<typeof brandColorsSchema>;

const brandFields = {
  name: z.string().trim().min(1, 'The brand needs a name').max(MAX_BRAND_NAME_CHARS),
  tagline: z.string().trim().max(MAX_BRAND_TAGLINE_CHARS).optional(),
  colors: brandColorsSchema.default({}),
};

/** Only images a page can show without loading anything from the network. */
export const logoDataUrlSchema = z
  .string()
  .max(MAX_LOGO_CHARS, `The logo is too large (${MAX_LOGO_CHARS / 1024} KB at most)`)
  .regex(/^data:image\/(png|jpeg|svg\+xml|webp);base64,[A-Za-z0-9+/=]+$/, 'The logo must be a base64 data: URL (PNG, JPEG, SVG or WebP)');

/** The brand as the presenter app holds it (a profile's, or assets/brand/ with its logo inlined). */
export const brandSchema = z.object({
  ...brandFields,
  /** A data: URL; without one the app shows the name alone. */
  logo: logoDataUrlSchema.optional(),
});
export type Brand = z.infer<typeof brandSchema>;

/** A brand file on disk (assets/brand/brand.json, a node's TANDEM_BRAND): the logo is a file next to it. */
export const brandFileSchema = z
  .object({
    ...brandFields,
    logo: z.string().regex(/^[A-Za-z0-9_.-]+\.(svg|png|webp|jpe?g)$/, 'The logo is a file next to the brand file (svg, png, webp, jpg)'),
  })
  .strict();
export type BrandFile = z.infer<typeof brandFileSchema>;

/** The brand in the viewer page's config: the logo is a path on the node that serves the page. */
export const viewerBrandSchema = z.object({ ...brandFields, logo: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/) });
export type ViewerBrand = z.infer<typeof viewerBrandSchema>;

/**
 * The CSS custom properties a page sets for a brand's colours (`--background`, `--accent`, …):
 * only known keys with hex values, so even an unparsed brand cannot inject anything.
 */
export function brandCssProperties(colors: Readonly<Record<string, unknown>> | undefined): Array<[`--${BrandColorKey}`, string]> {
  const out: Array<[`--${BrandColorKey}`, string]> = [];
  for (const k of BRAND_COLOR_KEYS) {
    const v = colors?.[k];
    if (isHexColor(v)) out.push([`--${k}`, v]);
  }
  return out;
}

/** The brand shown when neither a profile nor assets/brand/ provides one. */
export const defaultBrand: Brand = {
  name: 'Tandem',
  tagline: 'Live, from every server at once',
  colors: { background: '#0f1720', surface: '#17212c', text: '#eef2f6', muted: '#94a3b8', accent: '#f59e0b' },
};
