/**
 * Camera scanning through the zxing-wasm ponyfill, with Chromium's fake camera showing an EAN-13.
 * No API stubs: the point is the detector pipeline and that the wasm comes from our own origin,
 * never from a CDN. (The lookup itself fails here: no backend behind the preview proxy.)
 */
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { expect, test } from '@playwright/test'
import { writeEan13Y4m } from './ean13'

const video = resolve('test-results', 'fake-camera-ean13.y4m')
mkdirSync('test-results', { recursive: true })
writeEan13Y4m(video, '4012345678901')

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`,
    ],
  },
  permissions: ['camera'],
})

test('camera scan decodes an EAN-13 with our own zxing wasm and sends it to /api/v1/scans', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin
  const foreign: string[] = []
  const wasm: string[] = []
  page.on('request', (req) => {
    const url = new URL(req.url())
    if (url.protocol.startsWith('http') && url.origin !== origin) foreign.push(req.url())
    if (url.pathname.endsWith('.wasm')) wasm.push(req.url())
  })
  // A signed-in session as the app stores it (no login call needed for this test).
  await page.addInitScript(() => {
    localStorage.setItem('lotwise.session', JSON.stringify({ token: 't', user: { id: 1, username: 'cam', full_name: 'Camera', roles: [], warehouse_ids: [], department_ids: [] } }))
  })
  await page.goto('/lookup')
  const scanRequest = page.waitForRequest((r) => r.url().endsWith('/api/v1/scans') && r.method() === 'POST', { timeout: 20_000 })
  await page.getByRole('button', { name: '摄像头扫码' }).click()
  const req = await scanRequest
  expect(req.postDataJSON()).toEqual({ raw: '4012345678901' })
  expect(wasm.length).toBeGreaterThan(0)
  expect(wasm.every((u) => u.startsWith(origin + '/assets/'))).toBe(true)
  expect(foreign).toEqual([])
})
