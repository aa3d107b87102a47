// Vite builds the renderer (renderer/ → dist/renderer). Relative asset URLs, so the same build
// loads from Electron's app:// scheme and from studio mode's HTTP server. No inline scripts or styles:
// the CSP allows only 'self'.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
