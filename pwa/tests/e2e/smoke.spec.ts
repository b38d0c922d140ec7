/**
 * SMOKE TEST WITH A STUBBED BACKEND.
 *
 * The real backend is not ready yet, so this one test answers /api/v1/* itself with Playwright's
 * page.route (login, tasks summary, scans). It checks only that the built app renders, speaks
 * zh-CN then en, and that a keyboard-wedge burst shows the scan banner. The real end-to-end
 * tests run later against the real server, with no route stubs.
 */
import { expect, test, type Page, type WebSocketRoute } from '@playwright/test'
import { wedgeBurst } from './helpers'

const USER = { id: 7, username: 'wang.li', full_name: '王丽', roles: ['warehouse'], warehouse_ids: [1], department_ids: [], active: true, locked: false }

async function stubBackend(page: Page, scans: Array<{ raw: string }>) {
  await page.route('**/api/v1/auth/login', (route) =>
    route.fulfill({ json: { access_token: 'stub-token', token_type: 'bearer', expires_in: 28800, user: USER } }),
  )
  await page.route('**/api/v1/tasks/summary', (route) => route.fulfill({ json: { receive: 3, qa_release: 1, putaway: 5, pick: 12, transfer: 0, dispatch: 4 } }))
  await page.route('**/api/v1/scans', async (route) => {
    const body = route.request().postDataJSON() as { raw: string }
    scans.push(body)
    // Slow on purpose: the "reading" state must show long before the answer.
    await new Promise((r) => setTimeout(r, 400))
    if (body.raw.endsWith('2')) {
      return route.fulfill({
        status: 422,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Wrong check digit', status: 422, detail: 'GTIN 校验位错误', code: 'BARCODE_CHECK_DIGIT' }),
      })
    }
    return route.fulfill({
      json: {
        outcome: 'product',
        log_id: 1,
        decoded: { agency: 'GS1', di: '04012345678901', gtin: '04012345678901', lot: 'A1B2', serial: null, expiry: '2027-12-31', production_date: null, quantity: null, symbology: null, warnings: [] },
        product: { id: 1, code: 'SYR-5', name: '一次性使用无菌注射器', name_en: 'Sterile syringe', model: '5ml', tracking: 'lot', base_unit: '支', active: true, level: 'each', base_units: 1 },
        lot: { id: 3, lot_number: 'A1B2', expiry: '2027-12-31', status: 'released' },
        serial: null,
        location: null,
        document: null,
        actions: [{ code: 'receive', label: '收货' }],
        warnings: [],
      },
    })
  })
  const sockets: WebSocketRoute[] = []
  await page.routeWebSocket(/\/ws/, (ws) => void sockets.push(ws))
  return sockets
}

test('sign-in renders in zh-CN, switches to en; a wedge burst shows the banner', async ({ page }) => {
  const scans: Array<{ raw: string }> = []
  const sockets = await stubBackend(page, scans)
  const foreign: string[] = []
  page.on('request', (req) => {
    if (/^https?:/.test(req.url()) && !req.url().startsWith('http://127.0.0.1:')) foreign.push(req.url())
  })

  await page.goto('/')
  await expect(page).toHaveURL(/\/signin/)
  await expect(page.getByTestId('signin-title')).toHaveText('登录')
  await expect(page.getByTestId('app-subtitle')).toHaveText('医疗器械库存')
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN')
  await page.screenshot({ path: 'test-results/screens/signin-zh-360x640.png' })

  await page.getByTestId('lang-en').click()
  await expect(page.getByTestId('signin-title')).toHaveText('Sign in')
  await expect(page.getByTestId('signin-submit')).toContainText('Sign in')
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await page.getByTestId('lang-zh-CN').click()
  await expect(page.getByTestId('signin-title')).toHaveText('登录')

  await page.getByTestId('username').fill('wang.li')
  await page.getByTestId('password').fill('secret')
  await page.getByTestId('signin-submit').click()
  await expect(page.getByTestId('home-user')).toContainText('王丽')
  await expect(page.getByTestId('tile-pick')).toContainText('12')
  await expect(page.getByTestId('tile-dispatch-count')).toHaveText('4')
  await page.screenshot({ path: 'test-results/screens/home-zh-360x640.png' })

  // A scanner burst: keys 4 ms apart, then Enter, with focus on the page (no input).
  await page.locator('body').click({ position: { x: 5, y: 630 } })
  const bannerAfterMs = await wedgeBurst(page, '0104012345678901')
  const banner = page.getByTestId('scan-banner')
  // The server stub answers after 400 ms; "reading" must be on screen within 100 ms of the scan.
  console.log(`scan banner "reading" on screen ${bannerAfterMs.toFixed(1)} ms after the scan`)
  expect(bannerAfterMs).toBeLessThan(100)
  await expect(banner).toHaveAttribute('data-state', 'reading')
  await expect(banner).toHaveAttribute('data-state', 'success')
  await expect(page.getByTestId('scan-banner-title')).toHaveText('一次性使用无菌注射器 5ml')
  await page.screenshot({ path: 'test-results/screens/banner-success-360x640.png' })
  expect(scans[0]).toEqual({ raw: '0104012345678901', profile: 'default' })

  // Slow human typing is not a scan.
  await page.keyboard.type('abc123', { delay: 150 })
  await page.keyboard.press('Enter')
  expect(scans).toHaveLength(1)

  // A bad check digit: red, with the server's words.
  await wedgeBurst(page, '0104012345678902')
  await expect(banner).toHaveAttribute('data-state', 'refusal')
  await expect(page.getByTestId('scan-banner-reason')).toHaveText('GTIN 校验位错误')
  await page.screenshot({ path: 'test-results/screens/banner-refusal-360x640.png' })

  // A scan from a device-bridge station arrives on the WebSocket and goes through the same handler.
  await expect.poll(() => sockets.length).toBeGreaterThan(0)
  expect(new URL(sockets[0]!.url()).searchParams.get('token')).toBe('stub-token')
  sockets[0]!.send(JSON.stringify({ topic: 'station.scan', data: { user_id: 7, station: 'RECV-1', raw: '0104012345678901', profile: 'tilde-gs', frame_id: 'f-1' } }))
  await expect(banner).toHaveAttribute('data-state', 'success')
  await expect(banner).toContainText('来自扫码工位')
  expect(scans.at(-1)).toEqual({ raw: '0104012345678901', profile: 'tilde-gs', station: 'RECV-1' })

  // Lookup shows the last answer in full.
  await page.getByTestId('scan-banner').click()
  await expect(banner).toBeHidden()
  await page.getByTestId('tile-lookup').click()
  await expect(page.getByTestId('result-product')).toHaveText('一次性使用无菌注射器 5ml')
  await page.screenshot({ path: 'test-results/screens/lookup-zh-360x640.png', fullPage: true })
  await page.goBack()

  // Tablet size still reads well.
  await page.setViewportSize({ width: 800, height: 1280 })
  await page.screenshot({ path: 'test-results/screens/home-zh-800x1280.png' })

  // Session expiry: any 401 sends the user back to sign-in, saying why.
  await page.unroute('**/api/v1/tasks/summary')
  await page.route('**/api/v1/tasks/summary', (route) =>
    route.fulfill({ status: 401, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: '未登录', status: 401, detail: '登录已过期', code: 'AUTH_EXPIRED' }) }),
  )
  await page.reload()
  await expect(page).toHaveURL(/\/signin\?.*expired=1/)
  await expect(page.getByTestId('session-expired')).toBeVisible()
  await expect(page.getByTestId('username')).toHaveValue('wang.li')

  // Nothing was fetched from anywhere but our own origin (no CDN fonts, icons or scripts).
  expect(foreign).toEqual([])
})
