// Vite builds the explorer into web/dist, which web.go embeds in the binary.
// No asset is inlined as a data: URI and no inline script is emitted: the
// API serves the UI under Content-Security-Policy default-src 'self'.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true, // public/.keep puts back the committed dist/.keep
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
