// `npm run screenshots`: every screen at 360×640 (and a few at 800×1280) against the real server
// with the demo data (the same globalSetup as the journeys), saved under ../docs/screenshots/.
import { defineConfig, devices } from '@playwright/test'

export default defineConfig({
  testDir: 'tests/screens',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/screens-run',
  globalSetup: './tests/e2e/real/global-setup.ts',
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 360, height: 640 },
    deviceScaleFactor: 1,
    hasTouch: true,
    serviceWorkers: 'block',
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars'],
    },
  },
})
