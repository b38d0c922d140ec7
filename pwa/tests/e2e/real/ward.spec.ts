/**
 * Ward requisition, one full flow against the real server, every step through the screens: the
 * nurse requests on a tablet (800×1280), the head approves (partly, with a reason), the warehouse
 * sees it arrive live on the handheld's Ward orders (360×640), releases it, picks it on the Pick
 * screen, ships it and marks it delivered by scanning the ward's location label; the nurse
 * follows it live, receives by scanning against the delivery's contents and records a use on a
 * pseudonymous patient. Only the final checks use the API: the requisition, the ledger, the trace.
 * Unhappy paths: a product outside the catalogue scanned on the tablet, shipping before the pick
 * is done (the server's words), a wrong location scanned as the ward, a name as patient reference,
 * and the nurse trying to approve (403).
 */
import type { Browser, Page } from '@playwright/test'
import { apiAs, dismissBanner, expect, expectBanner, gs1, locationLabel, scan, SERVER, signedIn, stockedCatalogue, test } from './fixtures'

const REAGENT_GTIN = '06971234005809' // an IVD reagent: not in cardiology's catalogue
const tablet = { viewport: { width: 800, height: 1280 }, hasTouch: true, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', serviceWorkers: 'block' as const }

async function pageFor(browser: Browser, handheld = false): Promise<Page> {
  const ctx = await browser.newContext({ ...tablet, ...(handheld ? { viewport: { width: 360, height: 640 } } : {}), baseURL: process.env.LOTWISE_E2E_SERVER ?? SERVER })
  return ctx.newPage()
}

test('nurse requests, head approves, warehouse picks, ward receives and uses on a patient', async ({ browser, request }) => {
  test.setTimeout(150_000)
  const nurse = await apiAs(request, 'nurse')
  const wh = await apiAs(request, 'warehouse') // the label's GTIN and the final checks

  const item = (await stockedCatalogue(request, 1))[0]!
  const gtin = (await wh.get<{ items: { di: string; level: string }[] }>('/packaging', { product: item.product, limit: 10 })).items.find((p) => p.level === 'each')!.di

  // ---- the nurse on the tablet: catalogue, an unhappy scan, cart, submit ----
  const ward = await pageFor(browser)
  await signedIn(ward, request, 'nurse', '/')
  await expect(ward.getByTestId('tile-request')).toBeVisible()
  await expect(ward.getByTestId('tile-pick')).toHaveCount(0)
  await ward.getByTestId('tile-request').click()
  await expect(ward.getByTestId('catalogue-item').first()).toBeVisible() // the screen claims scans once mounted
  expect(await scan(ward, gs1(REAGENT_GTIN, '2030-01-01', 'X1'))).toBe('refusal')
  await expectBanner(ward, 'refusal', '不在本科室请领目录中')
  await ward.getByTestId('catalogue-search').fill(item.product_code)
  await ward.getByTestId(`add-${item.product_code}`).click()
  await expect(ward.getByTestId('cart-line')).toHaveCount(1)
  await ward.getByTestId('cart-qty').locator('input').fill('3')
  await ward.getByTestId('urgency-urgent').click()
  await ward.getByTestId('notes').fill('e2e 明早手术')
  await ward.getByTestId('submit-requisition').click()
  await expect(ward).toHaveURL(/\/ward\/requisitions\/\d+$/)
  const id = Number(ward.url().split('/').pop())
  await expect(ward.getByTestId('requisition-status')).toHaveText('已提交')

  // The nurse has no approval panel (the API's 403 is checked at the end).
  await expect(ward.getByTestId('approve-panel')).toHaveCount(0)

  // The warehouse has Ward orders open on the handheld before the head decides.
  const hand = await pageFor(browser, true)
  await signedIn(hand, request, 'warehouse', '/')
  await hand.getByTestId('tile-dispatch').click()
  await expect(hand.getByTestId('dispatch-tab-release')).toBeVisible()
  const order = hand.getByTestId('dispatch-item').filter({ hasText: new RegExp(`#${id}\\b`) })
  await expect(order).toHaveCount(0)

  // ---- the head approves 2 of 3, with a reason ----
  const headPage = await pageFor(browser)
  await signedIn(headPage, request, 'head', '/ward/requisitions?tab=approve')
  await headPage.getByTestId('requisition-item').filter({ hasText: `#${id}` }).click()
  await expect(headPage.getByTestId('approve-budget')).toContainText('剩余')
  await headPage.getByTestId('approve-qty').locator('input').fill('2')
  await headPage.getByTestId('approve-qty').locator('input').blur()
  await headPage.getByTestId('approve').click()
  await expectBanner(headPage, 'refusal') // a reason is needed for less than requested
  await headPage.getByTestId('approve-reason').fill('库存紧张，先领 2')
  await headPage.getByTestId('approve').click()
  await expect(headPage.getByTestId('requisition-status')).toHaveText('已批准')
  // live on the nurse's tablet and on the warehouse's handheld
  await expect(ward.getByTestId('requisition-status')).toHaveText('已批准', { timeout: 10_000 })
  await expect(order).toBeVisible({ timeout: 10_000 })

  // ---- the warehouse on the handheld: release, a refused ship, pick, ship, deliver ----
  await order.click()
  await expect(hand.getByTestId('dispatch-status')).toHaveText('已批准')
  await hand.getByTestId('dispatch-release').click()
  await expectBanner(hand, 'success', '已生成拣货单')
  await expect(hand.getByTestId('dispatch-status')).toHaveText('拣货中')
  await expect(ward.getByTestId('requisition-status')).toHaveText('拣货中', { timeout: 10_000 })
  await expect(hand.getByTestId('dispatch-pick-progress')).toContainText('已拣 0 /')
  await hand.getByTestId('dispatch-ship').click() // nothing picked yet: the server refuses, in words
  await expectBanner(hand, 'refusal', /还有 \d+ 行未拣货/)
  await expect(hand.getByTestId('dispatch-status')).toHaveText('拣货中')
  await dismissBanner(hand)
  await hand.getByTestId('dispatch-go-pick').click()
  await expect(hand).toHaveURL(new RegExp(`/pick/\\d+\\?req=${id}$`))
  const picked: { location: string; lot: string; expiry: string; qty: number }[] = []
  await expect(hand.getByTestId('pick-line')).toBeVisible()
  while (!(await hand.getByTestId('pick-finished').isVisible())) {
    expect(picked.length).toBeLessThan(5)
    const location = (await hand.getByTestId('pick-location').locator('.lw-big').innerText()).trim()
    const lot = (await hand.getByTestId('pick-lot').innerText()).trim()
    const expiry = (await hand.getByTestId('pick-expiry').innerText()).trim()
    expect(await scan(hand, locationLabel('WH-C', location))).toBe('success')
    expect(await scan(hand, gs1(gtin, expiry, lot))).toBe('success')
    const qty = Number(await hand.getByTestId('pick-qty').inputValue())
    await hand.getByTestId('pick-confirm').click()
    await expectBanner(hand, 'success', '已拣')
    picked.push({ location, lot, expiry, qty })
  }
  expect(picked.reduce((n, p) => n + p.qty, 0)).toBe(2)
  await hand.getByTestId('to-ship').click()
  await expect(hand.getByTestId('dispatch-pick-progress')).toContainText(`已拣 ${picked.length} / ${picked.length}`)
  await hand.getByTestId('dispatch-ship').click()
  await expectBanner(hand, 'success', '已发货')
  await expect(hand.getByTestId('dispatch-status')).toHaveText('已发出')
  await expect(ward.getByTestId('requisition-status')).toHaveText('已发出', { timeout: 10_000 })
  await expect(hand.getByTestId('dispatch-ward')).toContainText('POU-CARD')
  await expect(hand.getByTestId('dispatch-unit')).toHaveCount(picked.length)
  // At the ward: the shelf it was picked from is not the ward; the ward's label delivers it.
  expect(await scan(hand, locationLabel('WH-C', picked[0]!.location))).toBe('refusal')
  await expectBanner(hand, 'refusal', '不是本单的送达地点')
  expect(await scan(hand, locationLabel('WH-C', 'POU-CARD'))).toBe('success')
  await expectBanner(hand, 'success', '已送达')
  await expect(hand.getByTestId('dispatch-status')).toHaveText('已送达')
  await expect(ward.getByTestId('requisition-status')).toHaveText('已送达', { timeout: 10_000 })

  // ---- the ward receives by scanning every unit of the delivery ----
  await expect(ward.getByTestId('receive-panel')).toBeVisible()
  await expect(ward.getByTestId('delivery-line')).toHaveCount(new Set(picked.map((p) => p.lot)).size)
  for (const p of picked) for (let i = 0; i < p.qty; i++) await scan(ward, gs1(gtin, p.expiry, p.lot))
  await expect.poll(async () => (await ward.getByTestId('delivery-scanned').allInnerTexts()).reduce((n, x) => n + Number(x), 0)).toBe(2)
  await ward.getByTestId('receive-scanned').click()
  await expect(ward.getByTestId('requisition-status')).toHaveText('已签收')
  const line = picked[0]!

  // ---- use at the point of use: a name is refused on the form, a pseudonymous id records ----
  await ward.goto('/ward/use')
  await expect(ward.getByTestId('cabinet')).not.toHaveValue('')
  expect(await scan(ward, gs1(gtin, line.expiry, line.lot))).toBe('success')
  await expect(ward.getByTestId('patient-ref-hint')).toContainText('切勿填写姓名')
  await ward.getByTestId('patient-ref').fill('张三')
  await expect(ward.getByTestId('patient-ref-hint')).toContainText('不能是姓名')
  await expect(ward.getByTestId('use-record')).toBeDisabled()
  await ward.getByTestId('patient-ref').fill('PT-2026-0042')
  await ward.getByTestId('procedure').fill('PCI')
  await ward.getByTestId('surgeon').fill('王医生')
  await ward.getByTestId('use-record').click()
  await expectBanner(ward, 'success', '已登记使用')

  // ---- the server's records: the nurse may not approve, requisition, ledger, trace ----
  const refused = await request.post(`${SERVER}/api/v1/requisitions/${id}/approve`, { headers: { Authorization: `Bearer ${nurse.session.token}` }, data: {} })
  expect(refused.status()).toBe(403)
  const delivery = await nurse.get<{ units: { lot: number; lot_number: string; quantity: number; received: number }[] }>(`/requisitions/${id}/delivery`)
  expect(delivery.units.reduce((n, u) => n + u.received, 0)).toBe(2)
  const lot = delivery.units.find((u) => u.lot_number === line.lot)!.lot
  const done = await nurse.get<{ status: string; lines: { approved_quantity: number; shipped_quantity: number; received_quantity: number; decision_reason: string }[] }>(`/requisitions/${id}`)
  expect(done.status).toBe('received')
  expect(done.lines[0]).toMatchObject({ approved_quantity: 2, shipped_quantity: 2, received_quantity: 2, decision_reason: '库存紧张，先领 2' })
  const ledger = await wh.get<{ quantity: number; reason_name: string; location_code: string; document_type: string | null }[]>(`/lots/${lot}/ledger`, { limit: 20 })
  expect(ledger.find((e) => e.reason_name === 'consume')).toMatchObject({ quantity: -1, location_code: 'POU-CARD', document_type: 'patient_use' })
  expect(ledger.find((e) => e.reason_name === 'transit_receive_in')).toMatchObject({ quantity: 2, location_code: 'POU-CARD' })
  const trace = await nurse.get<{ patients: { patient_ref: string; procedure: string; surgeon: string }[]; departments: unknown[] }>('/point-of-use/trace', { lot })
  expect(trace.patients.some((p) => p.patient_ref === 'PT-2026-0042' && p.procedure === 'PCI' && p.surgeon === '王医生')).toBeTruthy()
  expect(trace.departments.length).toBeGreaterThan(0)
  await Promise.all([ward.context().close(), headPage.context().close(), hand.context().close()])
})
