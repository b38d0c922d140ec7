// Browser tests with Debian's Chromium (never a downloaded browser).
// - `handheld`: the client alone against `vite preview` (API stubbed or unreachable);
// - `real`: the journeys against a REAL server with the demo data, started by globalSetup
//   (tests/e2e/real/global-setup.ts: throw-away SQLite, migrate, demo, serve pwa/dist) and
//   stopped by its process id afterwards. LOTWISE_E2E_SERVER=<url> uses a running server instead.
import { defineConfig, devices } from '@playwright/test'

const port = Number(process.env.PWA_E2E_PORT ?? 4179)
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const handheld = { ...devices['Desktop Chrome'], viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, hasTouch: true }

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 30_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  globalSetup: './tests/e2e/real/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // Requests must reach page.route; the service worker is tested separately.
    serviceWorkers: 'block',
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    trace: 'off',
    launchOptions: {
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    { name: 'handheld', testIgnore: /real\//, use: handheld },
    // baseURL is set per file from LOTWISE_E2E_SERVER, which globalSetup fills in.
    { name: 'real', testMatch: /real\/.*\.spec\.ts/, use: { ...handheld, deviceScaleFactor: 1 } },
  ],
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    // Point the preview proxy at a closed port: nothing in the client-only tests may reach a real backend.
    env: { LOTWISE_API: 'http://127.0.0.1:9' },
    // The proxy logs every refused connection; that is expected here and only noise.
    stderr: 'ignore',
  },
})
