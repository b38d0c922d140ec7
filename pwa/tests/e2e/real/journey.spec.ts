/**
 * The warehouse journey end to end on a handheld (360×640), against the real server with the demo
 * data: receive → inspect → QA release with signature → put away → transfer order → pick with the
 * FEFO check → ship → receive at the other warehouse → look the lot up. Each step also meets one
 * refusal: an expired label at receipt, a wrong password on the signature, a location of another
 * warehouse at putaway, another warehouse's location, a wrong product and a held lot at pick.
 */
import type { APIRequestContext, Page } from '@playwright/test'
import { apiAs, daysFromNow, dismissBanner, expect, expectBanner, gs1, iso, locationLabel, PASSWORD, scan, signedIn, SYRINGE, test } from './fixtures'

test.describe.configure({ mode: 'serial' })

/** The demo's second product (another syringe size). */
const OTHER_GTIN = '06971234000040'
const LOT = `E2E-${Date.now().toString(36).toUpperCase()}`
// Later than the demo's stock of this syringe in WH-C, so FEFO allocates the demo lot first.
const EXPIRY = daysFromNow(1400)
const LABEL = gs1(SYRINGE.gtin, EXPIRY, LOT)
const state: { lot?: number; line?: number; storage?: string; order?: number; pick?: number } = {}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/journey-${name}.png` })
}

async function lotId(request: APIRequestContext): Promise<number> {
  const api = await apiAs(request, 'warehouse')
  const page = await api.get<{ items: { id: number }[] }>('/lots', { product: SYRINGE.id, lot_number: LOT })
  return page.items[0]!.id
}

test('receive: the label fills the line; an expired label is refused', async ({ page, request }) => {
  await page.goto('/')
  await page.getByTestId('username').fill('warehouse')
  await page.getByTestId('password').fill(PASSWORD)
  await page.getByTestId('signin-submit').click()
  await expect(page.getByTestId('home-user')).toContainText('李娜')
  await expect(page.getByTestId('tile-receive')).toContainText(/\d/)
  await page.getByTestId('tile-receive').click()
  await page.getByTestId('receive-supplier').selectOption({ index: 1 })

  // Expired: refused at the scan, in words; nothing is added.
  await scan(page, gs1(SYRINGE.gtin, daysFromNow(-10), 'OLD-1'))
  await expectBanner(page, 'refusal', '已过期')
  await expect(page.getByTestId('receive-line')).toHaveCount(0)

  expect(await scan(page, LABEL)).toBe('success')
  const line = page.getByTestId('receive-line')
  await expect(line).toHaveCount(1)
  await expect(line.getByTestId('line-product')).toContainText('注射器')
  await expect(line.getByTestId('line-lot')).toHaveValue(LOT)
  await expect(line.getByTestId('line-expiry')).toHaveValue(iso(EXPIRY))
  await line.getByTestId('line-qty').fill('30')
  await dismissBanner(page)
  await page.getByTestId('receive-submit').click()
  await expect(page.getByTestId('receipt-done')).toContainText('收货完成')
  state.lot = await lotId(request)
  const api = await apiAs(request, 'warehouse')
  const ledger = await api.get<{ reason_name: string; quantity: number; location_code: string }[]>(`/lots/${state.lot}/ledger`)
  expect(ledger.map((e) => [e.quantity, e.location_code])).toEqual([[30, 'WH-C-RCV']])
})

test('QA: inspection record, a wrong password refused, release signed', async ({ page, request }) => {
  await signedIn(page, request, 'qa', '/qa-release')
  const item = page.getByTestId('qa-line').filter({ hasText: LOT })
  await item.click()
  await expect(page.getByTestId('qa-lot')).toHaveText(LOT)
  await page.getByTestId('inspect-note').fill('外观包装完好')
  await page.getByTestId('inspect-save').click()
  await expect(page.getByTestId('qa-inspection')).toContainText('外观包装完好')
  await dismissBanner(page)

  await page.getByTestId('qa-release').click()
  const dialog = page.getByTestId('signature-dialog')
  await expect(dialog.getByTestId('sign-meaning')).toContainText('合格放行')
  await expect(dialog.getByTestId('sign-name')).toHaveText('质量员 陈晓')
  await dialog.getByTestId('sign-password').fill('not-my-password')
  await dialog.getByTestId('sign-submit').click()
  await expect(dialog.getByTestId('sign-error')).toContainText('密码')
  await shot(page, 'signature-refused')
  await dialog.getByTestId('sign-password').fill(PASSWORD)
  await dialog.getByTestId('sign-submit').click()
  await expectBanner(page, 'success', LOT)
  await expect(page.getByTestId('qa-line').filter({ hasText: LOT })).toHaveCount(0)
  const api = await apiAs(request, 'qa')
  const lot = await api.get<{ lot: { status: string }; status_history: { new_status: string; signature_id: number | null }[] }>(`/lots/${state.lot}`)
  expect(lot.lot.status).toBe('released')
  expect(lot.status_history.at(-1)?.signature_id).not.toBeNull()
})

test('putaway: scan the lot, see the suggestion, a wrong location is refused, the right one confirms', async ({ page, request }) => {
  await signedIn(page, request, 'warehouse', '/putaway')
  await scan(page, LABEL)
  await expectBanner(page, 'success', '建议货位')
  const suggested = (await page.getByTestId('putaway-suggested').locator('.lw-big').textContent())!.trim()
  expect(suggested).toMatch(/^[A-Z]-\d\d-\d$/)
  await expect(page.getByTestId('putaway-qty')).toHaveValue('30')

  expect(await scan(page, locationLabel('WH-E', 'A-01-1'))).toBe('refusal')
  await expectBanner(page, 'refusal', '货位不对')
  await shot(page, 'putaway-refused')

  expect(await scan(page, locationLabel('WH-C', suggested))).toBe('success')
  await expectBanner(page, 'success', `→ ${suggested}`)
  state.storage = suggested
  const api = await apiAs(request, 'warehouse')
  const ledger = await api.get<{ reason: number; quantity: number; location_code: string }[]>(`/lots/${state.lot}/ledger`)
  expect(ledger.slice(0, 2).map((e) => [e.location_code, e.quantity]).sort()).toEqual([[suggested, 30], ['WH-C-RCV', -30]].sort())
})

test('transfer order and pick: wrong location, wrong product, a held lot refused; FEFO deviation with a reason', async ({ page, request }) => {
  const api = await apiAs(request, 'warehouse')
  await signedIn(page, request, 'warehouse', '/transfer?tab=new')
  await page.getByTestId('transfer-from').selectOption({ label: 'WH-C 中心库房' })
  const toEast = page.getByTestId('transfer-to')
  await toEast.selectOption({ label: 'WH-E 东院区库房 · WH-E-RCV' })
  await scan(page, LABEL)
  await expect(page.getByTestId('transfer-line')).toHaveCount(1)
  await page.getByTestId('transfer-line').locator('input').fill('5')
  await dismissBanner(page)
  await page.getByTestId('transfer-create').click()
  await expect(page).toHaveURL(/\/pick\/\d+$/)
  state.pick = Number(page.url().split('/').pop())
  const list = await api.get<{ document_id: number; lines: { id: number; lot: number; lot_number: string; location_code: string; quantity: number }[] }>(`/pick-lists/${state.pick}`)
  state.order = list.document_id
  const first = list.lines[0]!
  await expect(page.getByTestId('pick-location')).toContainText(first.location_code)

  // Another warehouse's location: refused.
  await scan(page, locationLabel('WH-E', first.location_code))
  await expectBanner(page, 'refusal', '货位不对')
  // Where our lot lies: if that is not the allocated place, a second scan confirms the deviation.
  if ((await scan(page, locationLabel('WH-C', state.storage!))) === 'warning') {
    await expectBanner(page, 'warning', '不是分配货位')
    await scan(page, locationLabel('WH-C', state.storage!))
  }
  await expectBanner(page, 'success')

  // The wrong product.
  await scan(page, gs1(OTHER_GTIN, daysFromNow(400), 'X1'))
  await expectBanner(page, 'refusal', '器械不对')
  // A lot on hold (QA holds one of the demo's lots of this syringe): refused with the reason.
  const lots = await api.get<{ items: { id: number; lot_number: string; expiry: string | null; status: string }[] }>('/lots', { product: SYRINGE.id, status: 'released', limit: 50 })
  const other = lots.items.find((l) => l.lot_number !== LOT && l.lot_number !== first.lot_number && l.expiry)!
  await (await apiAs(request, 'qa')).post(`/lots/${other.id}/hold`, { reason: 'e2e: 疑似包装破损' })
  await scan(page, gs1(SYRINGE.gtin, other.expiry!, other.lot_number))
  await expectBanner(page, 'refusal', '冻结')
  await shot(page, 'pick-held')

  // Our lot expires later than the allocated one: a FEFO deviation, confirmed with a reason.
  expect(first.lot_number).not.toBe(LOT)
  expect(await scan(page, LABEL)).toBe('warning')
  await expectBanner(page, 'warning', 'FEFO')
  await expect(page.getByTestId('reason-dialog')).toBeVisible()
  await shot(page, 'pick-fefo')
  await page.getByTestId('reason-option').first().click()
  await expect(page.getByTestId('pick-confirm-card')).toBeVisible()
  await page.getByTestId('pick-qty').fill(String(first.quantity))
  await page.getByTestId('pick-confirm').click()
  await expectBanner(page, 'success', '已拣')
  // Any further lines: short-picked, with a reason.
  for (let i = 1; i < list.lines.length; i++) {
    await page.getByTestId('pick-short').click()
    await page.getByTestId('reason-option').first().click()
  }
  await expect(page.getByTestId('pick-finished')).toBeVisible()
  const done = await api.get<{ lines: { status: string; deviation_reason: string | null; picked_lot: number | null }[] }>(`/pick-lists/${state.pick}`)
  expect(done.lines[0]!.status).toMatch(/picked|short/)
  expect(done.lines[0]!.picked_lot).toBe(state.lot)
  expect(done.lines[0]!.deviation_reason).toBeTruthy()

  await page.getByTestId('to-ship').click()
  const order = page.getByTestId('transfer-out').filter({ hasText: `调拨单 ${state.order}` })
  await order.getByTestId('transfer-ship').click()
  await expectBanner(page, 'success', '已发运')
})

test('receive the transfer at the other warehouse, with a discrepancy', async ({ page, request }) => {
  await signedIn(page, request, 'warehouse2', '/transfer?tab=in')
  await page.getByTestId('transfer-in').filter({ hasText: `调拨单 ${state.order}` }).click()
  const unit = page.getByTestId('transit-unit').filter({ hasText: LOT })
  await expect(unit).toBeVisible()
  for (let i = 0; i < 4; i++) await scan(page, LABEL)
  await expect(unit.locator('input')).toHaveValue('4')
  await shot(page, 'transfer-receive')
  await page.getByTestId('transfer-receive').click()
  await expect(page.getByTestId('reason-dialog')).toBeVisible()
  await page.getByTestId('reason-option').first().click()
  await expectBanner(page, 'warning', '已接收')
  const api = await apiAs(request, 'admin')
  const ledger = await api.get<{ reason_name: string; quantity: number; location_code: string; note: string | null }[]>(`/lots/${state.lot}/ledger`)
  const atEast = ledger.filter((e) => e.location_code === 'WH-E-RCV').map((e) => e.quantity)
  expect(atEast).toEqual([4])
  expect(ledger.some((e) => e.quantity === -1 && e.note === '运输途中破损')).toBe(true)
})

test('lookup: the lot, where it is, its ledger and trace', async ({ page, request }) => {
  await signedIn(page, request, 'admin', '/lookup')
  await scan(page, LABEL)
  await expect(page.getByTestId('result-product')).toContainText('注射器')
  const where = page.getByTestId('lookup-where')
  await expect(where).toContainText('WH-E-RCV')
  await expect(page.getByTestId('lookup-ledger')).toContainText('WH-C-RCV')
  await expect(page.getByTestId('lookup-trace')).toContainText('WH-E')
  await shot(page, 'lookup')
})
