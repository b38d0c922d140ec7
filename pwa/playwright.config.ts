// Browser tests with Debian's Chromium (never a downloaded browser), against `vite preview` of the build.
import { defineConfig, devices } from '@playwright/test'

const port = Number(process.env.PWA_E2E_PORT ?? 4179)
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const realServer = process.env.LOTWISE_E2E_SERVER

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 30_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // Requests must reach page.route; the service worker is tested separately once the server exists.
    serviceWorkers: 'block',
    locale: 'zh-CN',
    trace: 'off',
    launchOptions: {
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    {
      name: 'handheld',
      testIgnore: /real-server\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, hasTouch: true },
    },
    // Only with LOTWISE_E2E_SERVER set: `npx playwright test --project=real-server`.
    ...(realServer
      ? [
          {
            name: 'real-server',
            testMatch: /real-server\.spec\.ts/,
            use: { ...devices['Desktop Chrome'], baseURL: realServer, viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, hasTouch: true },
          },
        ]
      : []),
  ],
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    // Point the preview proxy at a closed port: nothing in this smoke test may reach a real backend.
    env: { LOTWISE_API: 'http://127.0.0.1:9' },
    // The proxy logs every refused connection; that is expected here and only noise.
    stderr: 'ignore',
  },
})
