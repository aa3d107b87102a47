// The one brand schema (common/brand.ts): hex colours are #rgb or #rrggbb only (the viewer page took
// 4- and 5-digit ones, the profile refused #rgb), the same for the node's brand file, a profile's
// brand and the viewer page's config, and only known colour keys become CSS properties.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  brandCssProperties,
  brandFileSchema,
  brandSchema,
  defaultBrand,
  hexColorSchema,
  isHexColor,
  viewerBrandSchema,
} from '../../common/brand.js';
import { clusterProfileSchema } from '../../common/profile.js';
import { REPO } from '../support/node-process.js';

const GOOD = ['#abc', '#ABC', '#1b2a41', '#F59E0B'];
const BAD = ['#abcd', '#abcde', '#abcdefg', '#ab', 'abc', '#ggg', 'red', 'red;}', '#fff; background: url(x)', ' #fff', '#fff\n', ''];

describe('brand colours', () => {
  it('are #rgb or #rrggbb, nothing else', () => {
    for (const c of GOOD) {
      expect(isHexColor(c), c).toBe(true);
      expect(hexColorSchema.safeParse(c).success, c).toBe(true);
    }
    for (const c of BAD) {
      expect(isHexColor(c), JSON.stringify(c)).toBe(false);
      expect(hexColorSchema.safeParse(c).success, JSON.stringify(c)).toBe(false);
    }
    expect(isHexColor(0xffffff)).toBe(false);
    expect(hexColorSchema.safeParse('#abcd').error?.issues[0]?.message).toBe('Colours are hex, #rgb or #rrggbb, like #1b2a41');
  });

  it('are checked the same way in a brand file, a profile and the viewer page config', () => {
    for (const c of [...GOOD, ...BAD]) {
      const ok = isHexColor(c);
      expect(brandFileSchema.safeParse({ name: 'A', logo: 'logo.svg', colors: { accent: c } }).success, c).toBe(ok);
      expect(brandSchema.safeParse({ name: 'A', colors: { accent: c } }).success, c).toBe(ok);
      expect(viewerBrandSchema.safeParse({ name: 'A', logo: '/brand/logo', colors: { accent: c } }).success, c).toBe(ok);
      const profile = { version: 1, name: 'P', servers: [{ id: 's1', url: 'rtmp://127.0.0.1/live', key: 'k' }], brand: { name: 'A', colors: { accent: c } } };
      expect(clusterProfileSchema.safeParse(profile).success, c).toBe(ok);
    }
  });

  it('refuses an unknown colour key (a typo would be lost silently)', () => {
    expect(brandSchema.safeParse({ name: 'A', colors: { acent: '#fff' } }).success).toBe(false);
  });

  it('become CSS properties only for known keys with hex values', () => {
    expect(brandCssProperties({ background: '#000', accent: '#f59e0b', text: 'red;}', muted: '#abcd', evil: '#fff', surface: 7 })).toEqual([
      ['--background', '#000'],
      ['--accent', '#f59e0b'],
    ]);
    expect(brandCssProperties(undefined)).toEqual([]);
  });
});

describe('brand schema', () => {
  it('reads the shipped brand file as the node does, and as the presenter app does with its logo inlined', () => {
    const file = JSON.parse(readFileSync(path.join(REPO, 'assets/brand/brand.json'), 'utf8')) as Record<string, unknown>;
    const node = brandFileSchema.parse(file);
    expect(node.logo).toBe('logo.svg');
    const app = brandSchema.parse({ ...file, logo: 'data:image/svg+xml;base64,PHN2Zy8+' });
    expect(app.colors).toEqual(node.colors);
    expect(brandSchema.parse(defaultBrand)).toEqual(defaultBrand);
  });

  it('keeps a brand file\'s logo next to it, and a profile\'s logo inline', () => {
    expect(brandFileSchema.safeParse({ name: 'A', logo: '../../etc/passwd' }).success).toBe(false);
    expect(brandFileSchema.safeParse({ name: 'A', logo: 'logo.svg', extra: 1 }).success).toBe(false);
    expect(brandSchema.safeParse({ name: 'A', logo: 'https://example.invalid/logo.png' }).success).toBe(false);
    expect(viewerBrandSchema.safeParse({ name: 'A', logo: 'javascript:alert(1)' }).success).toBe(false);
  });

  it('trims the name and tagline and bounds them', () => {
    expect(brandSchema.parse({ name: '  Acme  ', tagline: ' Town hall ' })).toEqual({ name: 'Acme', tagline: 'Town hall', colors: {} });
    expect(brandSchema.safeParse({ name: '   ' }).success).toBe(false);
    expect(brandSchema.safeParse({ name: 'x'.repeat(81) }).success).toBe(false);
    expect(brandSchema.safeParse({ name: 'A', tagline: 'x'.repeat(161) }).success).toBe(false);
  });
});
