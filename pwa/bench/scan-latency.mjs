#!/usr/bin/env node
// Scan → feedback latency on a throttled handheld: Debian's Chromium with 4× CPU throttling
// (CDP Emulation.setCPUThrottlingRate), the built app against a REAL server with the demo data
// (scripts/real-server.mjs, or LOTWISE_E2E_SERVER=<url>). A wedge burst is typed into the page;
// the clock runs from the terminating Enter keydown to the first frame that shows the coloured
// banner (green / amber / red) with the server's answer. Prints p50 / p95 / max over N scans
// (env SCANS, default 60) and exits 1 if p95 exceeds the goal (env GOAL_MS, default 100).
import { loadavg } from 'node:os'
import { chromium } from '@playwright/test'
import { startServer } from '../scripts/real-server.mjs'

const SCANS = Number(process.env.SCANS ?? 60)
const GOAL = Number(process.env.GOAL_MS ?? 100)
const RATE = Number(process.env.CPU_THROTTLE ?? 4)
const GS = '\u001d'

const server = process.env.LOTWISE_E2E_SERVER ? { url: process.env.LOTWISE_E2E_SERVER, stop: async () => {} } : await startServer()
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
})
try {
  const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'warehouse', password: 'lotwise-demo-2026' }) })
  const session = await login.json()
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 1, hasTouch: true, locale: 'zh-CN', serviceWorkers: 'block' })
  await context.addInitScript((s) => localStorage.setItem('lotwise.session', JSON.stringify({ token: s.access_token, user: s.user })), session)
  const page = await context.newPage()
  await page.goto(`${server.url}/`)
  await page.getByTestId('home-user').waitFor()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE })

  // What a warehouse scans all day: device labels (lot, expiry, different lots), location
  // labels, and now and then a damaged code.
  const yy = (d) => `${String(d.getFullYear()).slice(2)}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`
  const inAYear = yy(new Date(Date.now() + 365 * 864e5))
  const codes = []
  for (let i = 0; i < 10; i++) codes.push(`]d20106971234000019` + `17${inAYear}10BENCH${i}${GS}`)
  for (const loc of ['WH-C-RCV', 'A-01-1', 'A-02-2', 'B-01-2', 'C-03-1']) codes.push(`LW:LOC:WH-C:${loc}`)
  codes.push('0106971234000018') // bad check digit: red

  const measure = (raw) =>
    page.evaluate(async (raw) => {
      const target = document.body
      const state = () => document.querySelector('[data-testid="scan-banner"]')?.getAttribute('data-state') ?? 'idle'
      for (const key of raw) target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
      return await new Promise((resolve) => {
        let sawReading = false
        let t0 = 0
        const obs = new MutationObserver(() => {
          const s = state()
          if (s === 'reading') sawReading = true
          else if (sawReading && (s === 'success' || s === 'warning' || s === 'refusal')) {
            obs.disconnect()
            // On screen: the next frame after the DOM shows the answer.
            requestAnimationFrame(() => {
              const req = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/v1/scans')).at(-1)
              // The request's own time (server + network), to tell it from the app's work.
              const server = req && req.startTime >= t0 ? req.responseEnd - req.startTime : NaN
              resolve({ ms: performance.now() - t0, state: s, server })
            })
          }
        })
        obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] })
        t0 = performance.now()
        target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
        setTimeout(() => {
          obs.disconnect()
          resolve({ ms: Infinity, state: state() })
        }, 5000)
      })
    }, raw)

  for (let i = 0; i < 5; i++) await measure(codes[i % codes.length]) // warm-up
  const results = []
  for (let i = 0; i < SCANS; i++) {
    results.push(await measure(codes[i % codes.length]))
    await page.waitForTimeout(50)
  }
  const ms = results.map((r) => r.ms).sort((a, b) => a - b)
  const sorted = (xs) => [...xs].sort((a, b) => a - b)
  const at = (xs, p) => xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]
  const pct = (p) => at(ms, p)
  const serverMs = sorted(results.map((r) => r.server).filter((x) => Number.isFinite(x)))
  const client = sorted(results.filter((r) => Number.isFinite(r.server)).map((r) => r.ms - r.server))
  const states = results.reduce((acc, r) => ((acc[r.state] = (acc[r.state] ?? 0) + 1), acc), {})
  console.log(`scan → coloured banner, ${SCANS} wedge scans, Chromium ${browser.version()}, CPU throttled ${RATE}×, real server (demo data)`)
  console.log(`  p50 ${pct(50).toFixed(1)} ms   p95 ${pct(95).toFixed(1)} ms   max ${ms[ms.length - 1].toFixed(1)} ms   (goal p95 ≤ ${GOAL} ms)`)
  if (serverMs.length) console.log(`  of which the /api/v1/scans request (server + network): p50 ${at(serverMs, 50).toFixed(1)} ms, p95 ${at(serverMs, 95).toFixed(1)} ms; the app's own work: p50 ${at(client, 50).toFixed(1)} ms, p95 ${at(client, 95).toFixed(1)} ms`)
 console.log(`  machine load average (1 min) at the end: ${loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores`)
  console.log(`  answers: ${Object.entries(states).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  process.exitCode = pct(95) <= GOAL ? 0 : 1
} finally {
  await browser.close()
  await server.stop()
}
