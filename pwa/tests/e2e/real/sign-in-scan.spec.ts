/**
 * Against the REAL Lotwise server with the demo data (started by globalSetup, no stubs). Credentials: LOTWISE_E2E_USER / LOTWISE_E2E_PASSWORD,
 * defaulting to the demo's warehouse user.
 */
import { wedgeBurst } from '../helpers'
import { expect, test } from './fixtures'

const USER = process.env.LOTWISE_E2E_USER ?? 'warehouse'
const PASSWORD = process.env.LOTWISE_E2E_PASSWORD ?? 'lotwise-demo-2026'
const GS = '\u001d'

test('sign in, scan a device and a location with the wedge, read the answers, sign out', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByTestId('signin-title')).toHaveText('登录')
  await page.getByTestId('password').fill('wrong-password')
  await page.getByTestId('username').fill(USER)
  await page.getByTestId('signin-submit').click()
  // A refusal in the server's words (problem+json detail, zh-CN).
  await expect(page.getByTestId('signin-error')).toBeVisible()

  const frames: string[] = []
  page.on('websocket', (ws) => {
    if (ws.url().includes('/ws?token=')) ws.on('framereceived', (f) => void frames.push(String(f.payload)))
  })
  await page.getByTestId('password').fill(PASSWORD)
  await page.getByTestId('signin-submit').click()
  await expect(page.getByTestId('home-user')).toBeVisible()
  // The live socket accepts the token and greets.
  await expect.poll(() => frames.some((f) => f.includes('"hello"')), { timeout: 10_000 }).toBe(true)
  await page.screenshot({ path: 'test-results/screens/real-home-360x640.png' })

  // GTIN of the demo's first syringe + expiry + lot (GS after the variable-length lot).
  await page.getByTestId('tile-lookup').click()
  await page.locator('body').click({ position: { x: 5, y: 630 } })
  await wedgeBurst(page, `]d20106971234000019` + `17271231` + `10LOT-E2E${GS}`)
  const banner = page.getByTestId('scan-banner')
  await expect(banner).not.toHaveAttribute('data-state', 'reading', { timeout: 10_000 })
  await expect(page.getByTestId('result-product')).toContainText('注射器')
  await page.screenshot({ path: 'test-results/screens/real-lookup-360x640.png', fullPage: true })

  await wedgeBurst(page, 'LW:LOC:WH-C:WH-C-RCV')
  await expect(banner).toHaveAttribute('data-state', 'success', { timeout: 10_000 })
  await expect(banner).toContainText('WH-C-RCV')

  // A bad check digit: red, the decoder's reason in words.
  await wedgeBurst(page, '0106971234000018')
  await expect(banner).toHaveAttribute('data-state', 'refusal', { timeout: 10_000 })
  await expect(page.getByTestId('scan-banner-title')).toHaveText('条码无法识别')
  await expect(page.getByTestId('scan-banner-reason')).toContainText('校验位')
  await page.screenshot({ path: 'test-results/screens/real-refusal-360x640.png' })

  // Red stays until acknowledged.
  await banner.click()
  await expect(banner).toBeHidden()
  await page.goBack()
  await page.getByRole('button', { name: '退出' }).click()
  await expect(page.getByTestId('signin-title')).toBeVisible()
})
