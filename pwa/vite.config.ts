// Build config for the Lotwise PWA: Vue + Vant on demand + Workbox service worker (generateSW).
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'
import type { Plugin } from 'vite'

/**
 * Nothing in the build may point at an outside host:
 * - Vant's icon font is inlined as woff2, with a woff fallback on a CDN that no browser we
 *   support needs: the fallback is dropped;
 * - zxing-wasm's default locateFile (also bundled inside barcode-detector) points at a CDN;
 *   camera.ts always overrides it, and this
 *   turns the default into a local path that would 404, so a mistake can never reach a CDN.
 */
function noCdn(): Plugin {
  return {
    name: 'lotwise-no-cdn',
    enforce: 'pre',
    transform(code, id) {
      const file = id.split('?')[0] ?? ''
      let out = code
      if (/vant[\\/].*\.css$/.test(file)) out = code.replace(/,\s*url\((?:https?:)?\/\/[^)]*\)\s*format\(["']?woff["']?\)/g, '')
      else if (/(zxing-wasm|barcode-detector)[\\/].*\.js$/.test(file)) out = code.replace(/https:\/\/fastly\.jsdelivr\.net\/npm\//g, '/__no_cdn__/')
      return out === code ? null : { code: out, map: null }
    },
  }
}

// The backend the dev server proxies to; production serves dist/ from the backend itself.
const backend = process.env.LOTWISE_API ?? 'http://127.0.0.1:8000'

export default defineConfig({
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  plugins: [
    noCdn(),
    vue(),
    Components({ resolvers: [VantResolver()], dts: false }),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['favicon.svg', 'icons/apple-touch-icon.png'],
      manifest: {
        id: '/',
        name: 'Lotwise 医疗器械库存',
        short_name: 'Lotwise',
        description: '医疗器械批次、效期与库存管理 / Medical device lot, expiry and stock management',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#0b3d4f',
        background_color: '#0b3d4f',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        // The whole app shell, every lazy route and the zxing wasm are precached, so a handheld
        // that lost Wi-Fi can still open every screen and camera-scan.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/ws/, /^\/schema/],
        cleanupOutdatedCaches: true,
        // Web Push (alerts): the push and notificationclick handlers live in public/push-sw.js,
        // so the generated service worker (and its precaching) stays as it is.
        importScripts: ['/push-sw.js'],
        // API answers are never cached by the service worker: the app keeps its own read cache
        // and offline queue in IndexedDB, where it can tell stale from fresh.
        runtimeCaching: [],
      },
      devOptions: { enabled: false },
    }),
  ],
  server: {
    proxy: {
      '/api': backend,
      '/schema': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': backend,
      '/schema': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
  build: {
    target: 'es2020',
    sourcemap: false,
    // dist/.vite/manifest.json lets bench/size.mjs follow each route's chunk graph.
    manifest: true,
    // The handheld first-load budget (bench/size.mjs) is 200 KB gzipped JS+CSS.
    chunkSizeWarningLimit: 300,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/barcode-detector') || id.includes('node_modules/zxing-wasm')) return 'zxing'
          return undefined
        },
      },
    },
  },
})
