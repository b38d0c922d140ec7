/**
 * Ward requisition, one full flow against the real server: the nurse requests on a tablet
 * (800×1280), the head approves (partly, with a reason), the warehouse releases it and picks on
 * the handheld's Pick screen, ships and delivers; the nurse follows it live, receives by
 * scanning and records a use on a pseudonymous patient; the ledger and trace show it (API).
 * Unhappy paths: a product outside the catalogue scanned on the tablet, a name as patient
 * reference, and the nurse trying to approve (403).
 */
import type { Browser, Page } from '@playwright/test'
import { apiAs, expect, expectBanner, gs1, locationLabel, scan, SERVER, signedIn, test } from './fixtures'

const REAGENT_GTIN = '06971234005809' // an IVD reagent: not in cardiology's catalogue
const tablet = { viewport: { width: 800, height: 1280 }, hasTouch: true, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', serviceWorkers: 'block' as const }

async function pageFor(browser: Browser, handheld = false): Promise<Page> {
  const ctx = await browser.newContext({ ...tablet, ...(handheld ? { viewport: { width: 360, height: 640 } } : {}), baseURL: process.env.LOTWISE_E2E_SERVER ?? SERVER })
  return ctx.newPage()
}

test('nurse requests, head approves, warehouse picks, ward receives and uses on a patient', async ({ browser, request }) => {
  test.setTimeout(90_000)
  const nurse = await apiAs(request, 'nurse')
  const head = await apiAs(request, 'head')
  const wh = await apiAs(request, 'warehouse')
  const dept = nurse.session.user.department_ids?.[0] ?? 1

  // A lot-tracked catalogue product (not the syringes other journeys use) with one lot of ≥ 5 at WH-C.
  const cat = await nurse.get<{ items: { product: number; product_code: string; tracking: string }[] }>(`/departments/${dept}/catalogue`, { limit: 200 })
  let item: (typeof cat.items)[number] | undefined
  for (const c of cat.items.filter((c) => c.tracking === 'lot' && !c.product_code.startsWith('SYRI'))) {
    const stock = await wh.get<{ items: { available: number; location_kind: string; lot_status: string; expiry: string | null }[] }>('/stock', { warehouse: 1, product: c.product, limit: 100 })
    if (stock.items.some((b) => b.location_kind === 'storage' && b.lot_status === 'released' && b.available >= 5 && (!b.expiry || b.expiry > '2027'))) {
      item = c
      break
    }
  }
  if (!item) throw new Error('no catalogue product with stock at WH-C')
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

  // The nurse may not approve (the API refuses; the tablet shows no approve panel).
  const refused = await request.post(`${SERVER}/api/v1/requisitions/${id}/approve`, { headers: { Authorization: `Bearer ${nurse.session.token}` }, data: {} })
  expect(refused.status()).toBe(403)
  await expect(ward.getByTestId('approve-panel')).toHaveCount(0)

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
  // live on the nurse's tablet
  await expect(ward.getByTestId('requisition-status')).toHaveText('已批准', { timeout: 10_000 })

  // ---- the warehouse: release (API), pick on the handheld's Pick screen ----
  const released = await wh.post<{ shipments: { pick_list: number }[] }>(`/requisitions/${id}/release`)
  const pickId = released.shipments.at(-1)!.pick_list
  await expect(ward.getByTestId('requisition-status')).toHaveText('拣货中', { timeout: 10_000 })
  const list = await wh.get<{ lines: { id: number; lot: number; lot_number: string; expiry: string; location_code: string; quantity: number }[] }>(`/pick-lists/${pickId}`)
  const hand = await pageFor(browser, true)
  await signedIn(hand, request, 'warehouse', `/pick/${pickId}`)
  for (const line of list.lines) {
    await expect(hand.getByTestId('pick-location')).toContainText(line.location_code)
    expect(await scan(hand, locationLabel('WH-C', line.location_code))).toBe('success')
    expect(await scan(hand, gs1(gtin, line.expiry, line.lot_number))).toBe('success')
    await hand.getByTestId('pick-qty').fill(String(line.quantity))
    await hand.getByTestId('pick-confirm').click()
    await expectBanner(hand, 'success', '已拣')
  }
  await expect(hand.getByTestId('pick-finished')).toBeVisible()
  await wh.post(`/requisitions/${id}/ship`)
  await wh.post(`/requisitions/${id}/deliver`)
  await expect(ward.getByTestId('requisition-status')).toHaveText('已送达', { timeout: 10_000 })

  // ---- the ward receives by scanning both units ----
  const line = list.lines[0]!
  await expect(ward.getByTestId('receive-panel')).toBeVisible()
  for (let i = 0; i < 2; i++) await scan(ward, gs1(gtin, line.expiry, line.lot_number))
  await expect(ward.getByTestId('delivery-scanned')).toHaveText('2')
  await ward.getByTestId('receive-scanned').click()
  await expect(ward.getByTestId('requisition-status')).toHaveText('已签收')

  // ---- use at the point of use: a name is refused on the form, a pseudonymous id records ----
  await ward.goto('/ward/use')
  await expect(ward.getByTestId('cabinet')).not.toHaveValue('')
  expect(await scan(ward, gs1(gtin, line.expiry, line.lot_number))).toBe('success')
  await expect(ward.getByTestId('patient-ref-hint')).toContainText('切勿填写姓名')
  await ward.getByTestId('patient-ref').fill('张三')
  await expect(ward.getByTestId('patient-ref-hint')).toContainText('不能是姓名')
  await expect(ward.getByTestId('use-record')).toBeDisabled()
  await ward.getByTestId('patient-ref').fill('PT-2026-0042')
  await ward.getByTestId('procedure').fill('PCI')
  await ward.getByTestId('surgeon').fill('王医生')
  await ward.getByTestId('use-record').click()
  await expectBanner(ward, 'success', '已登记使用')

  // ---- the server's records: requisition, ledger, trace ----
  const done = await nurse.get<{ status: string; lines: { approved_quantity: number; shipped_quantity: number; received_quantity: number; decision_reason: string }[] }>(`/requisitions/${id}`)
  expect(done.status).toBe('received')
  expect(done.lines[0]).toMatchObject({ approved_quantity: 2, shipped_quantity: 2, received_quantity: 2, decision_reason: '库存紧张，先领 2' })
  const ledger = await wh.get<{ quantity: number; reason_name: string; location_code: string; document_type: string | null }[]>(`/lots/${line.lot}/ledger`, { limit: 20 })
  expect(ledger.find((e) => e.reason_name === 'consume')).toMatchObject({ quantity: -1, location_code: 'POU-CARD', document_type: 'patient_use' })
  expect(ledger.find((e) => e.reason_name === 'transit_receive_in')).toMatchObject({ quantity: 2, location_code: 'POU-CARD' })
  const trace = await nurse.get<{ patients: { patient_ref: string; procedure: string; surgeon: string }[]; departments: unknown[] }>('/point-of-use/trace', { lot: line.lot })
  expect(trace.patients.some((p) => p.patient_ref === 'PT-2026-0042' && p.procedure === 'PCI' && p.surgeon === '王医生')).toBeTruthy()
  expect(trace.departments.length).toBeGreaterThan(0)
  await Promise.all([ward.context().close(), headPage.context().close(), hand.context().close()])
})
