// The page's branding from its config: title, name, tagline, logo, and the colours as CSS custom
// properties (only known keys with hex values: common/brand.ts).
import { brandCssProperties, type ViewerBrand } from '../../../common/brand.js';
import { el } from './dom.js';

export function applyBrand(brand: ViewerBrand): void {
  document.title = `${brand.name} — live`;
  el('brand-name').textContent = brand.name;
  el('brand-tagline').textContent = brand.tagline ?? '';
  const logo = el<HTMLImageElement>('brand-logo');
  logo.src = brand.logo;
  logo.alt = brand.name;
  for (const [name, value] of brandCssProperties(brand.colors)) document.documentElement.style.setProperty(name, value);
}
