/**
 * Screenshots of every screen for docs/screenshots/ (PNG, device scale 1), against the real
 * server with the demo data plus a little work set up through the API so no list is empty.
 */
import type { APIRequestContext, Page } from '@playwright/test'
import { apiAs, daysFromNow, dismissBanner, expect, gs1, locationLabel, scan, signedIn, stockedCatalogue, SYRINGE, test } from '../e2e/real/fixtures'

const OUT = '../docs/screenshots'
const REAGENT = { id: 295, gtin: '06971234005809' }
const PLATE = { id: 226, gtin: '06971234004789' }
const tag = Date.now().toString(36).slice(-4).toUpperCase()
const A = `A${tag}`
const B = `B${tag}`

async function save(page: Page, name: string, fullPage = false) {
  await page.waitForTimeout(150) // transitions end
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage })
}

async function setUp(request: APIRequestContext) {
  const wh = await apiAs(request, 'warehouse')
  const qa = await apiAs(request, 'qa')
  const east = (await wh.get<{ id: number; code: string }[]>('/tasks/destinations')).find((d) => d.code === 'WH-E-RCV')!
  const iso = (d: Date) => d.toISOString().slice(0, 10)
  const inspect = (line: number, n: number, note?: string) =>
    qa.post(`/receipt-lines/${line}/inspection`, { appearance_ok: true, packaging_ok: true, label_ok: true, certificate_ok: true, accepted: n, rejected: 0, ...(note ? { note } : {}) })
  const r1 = await wh.post<{ lines: { id: number }[] }>('/receipts', {
    warehouse: 1,
    supplier: 2,
    delivery_note: `SN-${tag}`,
    lines: [
      { product: SYRINGE.id, lot_number: A, expiry: iso(daysFromNow(1300)), quantity: 200 },
      { product: REAGENT.id, lot_number: `R${tag}`, expiry: iso(daysFromNow(300)), quantity: 20, arrival_temperature: 4.6 },
    ],
  })
  await inspect(r1.lines[0]!.id, 200, '外箱轻微压痕，内包装完好')
  const r2 = await wh.post<{ lines: { id: number; lot: number }[] }>('/receipts', { warehouse: 1, supplier: 2, lines: [{ product: SYRINGE.id, lot_number: B, expiry: iso(daysFromNow(1350)), quantity: 120 }] })
  await inspect(r2.lines[0]!.id, 120)
  await qa.post(`/receipt-lines/${r2.lines[0]!.id}/release`, { password: 'lotwise-demo-2026' })
  const order = async (qty: number) => {
    const o = await wh.post<{ id: number }>('/transfer-orders', { from_warehouse: 1, to_location: east.id, lines: [{ product: SYRINGE.id, quantity: qty }] })
    const p = await wh.post<{ id: number; lines: { id: number; lot: number; quantity: number }[] }>(`/transfer-orders/${o.id}/allocate`, {})
    return { order: o.id, pick: p }
  }
  const open = await order(6)
  for (const qty of [4, 2]) {
    const done = await order(qty)
    for (const l of done.pick.lines) await wh.post(`/pick-lists/${done.pick.id}/lines/${l.id}/confirm`, { lot: l.lot, quantity: l.quantity })
    if (qty === 4) await wh.post(`/transfer-orders/${done.order}/ship`)
  }
  return { pick: open.pick.id }
}

test('every screen', async ({ page, request, browser }) => {
  const work = await setUp(request)

  await page.goto('/signin')
  await expect(page.getByTestId('signin-title')).toBeVisible()
  await save(page, 'signin')

  await signedIn(page, request, 'warehouse', '/')
  await expect(page.getByTestId('tile-receive')).toContainText(/\d/)
  await save(page, 'home')

  // Receive: three labels (a lot, a serial-tracked implant, a cold-chain reagent).
  await page.getByTestId('tile-receive').click()
  await page.getByTestId('receive-supplier').selectOption({ index: 2 })
  await page.getByTestId('receive-note').fill(`随货单 ${tag}`)
  await scan(page, gs1(REAGENT.gtin, daysFromNow(280), `RG${tag}`))
  await scan(page, gs1(PLATE.gtin, daysFromNow(900), `P${tag}`, `SN${tag}01`))
  await scan(page, gs1(PLATE.gtin, daysFromNow(900), `P${tag}`, `SN${tag}02`))
  await scan(page, gs1(SYRINGE.gtin, daysFromNow(1200), `S${tag}`))
  await save(page, 'receive-scanned')
  await dismissBanner(page)
  await page.getByTestId('receive-line').last().getByTestId('line-temp').fill('5.2')
  await page.getByTestId('receive-line').last().scrollIntoViewIfNeeded()
  await save(page, 'receive-lines')
  await scan(page, gs1(SYRINGE.gtin, daysFromNow(-20), 'OLD-77'))
  await save(page, 'receive-expired')
  await dismissBanner(page)
  await page.getByTestId('receive-submit').click()
  await expect(page.getByTestId('receipt-done')).toBeVisible()
  await page.getByTestId('receipt-done').scrollIntoViewIfNeeded()
  await save(page, 'receive-done')

  // Putaway.
  await page.goto('/putaway')
  await expect(page.getByTestId('putaway-item').first()).toBeVisible()
  await save(page, 'putaway-queue')
  await scan(page, gs1(SYRINGE.gtin, daysFromNow(1350), B))
  await save(page, 'putaway-suggested')
  await dismissBanner(page)
  await scan(page, locationLabel('WH-C', 'WH-C-QUA'))
  await save(page, 'putaway-wrong-location')
  await dismissBanner(page)

  // Pick.
  await page.goto('/pick')
  await expect(page.getByTestId('pick-task').first()).toBeVisible()
  await save(page, 'pick-lists')
  await page.goto(`/pick/${work.pick}`)
  await expect(page.getByTestId('pick-line')).toBeVisible()
  await save(page, 'pick-location')
  const code = (await page.getByTestId('pick-location').locator('.lw-big').textContent())!.trim()
  await scan(page, locationLabel('WH-C', code))
  await dismissBanner(page)
  await save(page, 'pick-item')
  await scan(page, gs1(SYRINGE.gtin, daysFromNow(1350), B))
  await save(page, 'pick-fefo')
  await page.getByTestId('reason-option').first().click()
  await dismissBanner(page)
  await save(page, 'pick-confirm')

  // Transfer.
  await page.goto('/transfer?tab=out')
  await expect(page.getByTestId('transfer-out').first()).toBeVisible()
  await save(page, 'transfer-ship')
  await page.getByTestId('tab-new').click()
  await page.getByTestId('transfer-to').selectOption({ index: 1 })
  await scan(page, gs1(SYRINGE.gtin, daysFromNow(1200), `S${tag}`))
  await dismissBanner(page)
  await save(page, 'transfer-new')

  // Lookup: a demo lot with a history.
  await page.goto('/lookup')
  await scan(page, gs1(SYRINGE.gtin, '2029-11-21', '26103066216'))
  await dismissBanner(page)
  await expect(page.getByTestId('lookup-ledger')).toBeVisible()
  await page.getByTestId('lookup-where').scrollIntoViewIfNeeded()
  await save(page, 'lookup')
  await save(page, 'lookup-full', true)

  await page.goto('/settings/scanner')
  await save(page, 'scanner-settings')

  // Receiving the transfer at the other warehouse.
  const east = await browser.newPage({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 1, hasTouch: true, locale: 'zh-CN' })
  await signedIn(east, request, 'warehouse2', '/transfer?tab=in')
  await east.getByTestId('transfer-in').first().click()
  await expect(east.getByTestId('transit-unit').first()).toBeVisible()
  await east.locator('.van-stepper__plus').first().click()
  await save(east, 'transfer-receive')
  await east.close()

  // QA on a handheld and on a tablet.
  const qa = await browser.newPage({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 1, hasTouch: true, locale: 'zh-CN' })
  await signedIn(qa, request, 'qa', '/qa-release')
  await expect(qa.getByTestId('qa-line').first()).toBeVisible()
  await save(qa, 'qa-list')
  await qa.getByTestId('qa-line').filter({ hasText: A }).click()
  await save(qa, 'qa-detail')
  await qa.getByTestId('qa-release').click()
  await qa.getByTestId('sign-password').fill('wrong')
  await qa.getByTestId('sign-submit').click()
  await expect(qa.getByTestId('sign-error')).toBeVisible()
  await save(qa, 'qa-signature')
  await qa.setViewportSize({ width: 800, height: 1280 })
  await qa.keyboard.press('Escape')
  await qa.goto('/qa-release')
  await qa.getByTestId('qa-line').filter({ hasText: A }).click()
  await save(qa, 'tablet-qa-release')
  await qa.goto('/')
  await save(qa, 'tablet-home')
  await qa.close()

  // English.
  await page.evaluate(() => localStorage.setItem('lotwise.locale', 'en'))
  await page.goto('/')
  await expect(page.getByTestId('tile-receive')).toBeVisible()
  await save(page, 'home-en')
  await page.goto(`/pick/${work.pick}`)
  await expect(page.getByTestId('pick-line')).toBeVisible()
  await save(page, 'pick-en')
  await page.evaluate(() => localStorage.setItem('lotwise.locale', 'zh-CN'))
})

test('ward and alerts screens', async ({ browser, request }) => {
  test.setTimeout(180_000)
  const nurseApi = await apiAs(request, 'nurse')
  const headApi = await apiAs(request, 'head')
  const wh = await apiAs(request, 'warehouse')
  const qaApi = await apiAs(request, 'qa')
  const dept = nurseApi.session.user.department_ids?.[0] ?? 1
  const cat = await nurseApi.get<{ items: { product: number; product_code: string; tracking: string }[] }>(`/departments/${dept}/catalogue`, { limit: 200 })
  const lotItems = cat.items.filter((c) => c.tracking === 'lot' && !c.product_code.startsWith('SYRI'))
  const tabletOpts = { viewport: { width: 800, height: 1280 }, deviceScaleFactor: 1, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
  const phoneOpts = { ...tabletOpts, viewport: { width: 360, height: 640 } }

  // A requisition delivered to the ward (for the receipt), one waiting for the head (approval).
  const mk = (lines: { product: number; quantity: number }[], extra: Record<string, unknown> = {}) =>
    nurseApi.post<{ id: number }>('/requisitions', { department: dept, lines, urgency: 'routine', submit: true, ...extra })
  const delivered = await mk([{ product: lotItems[0]!.product, quantity: 4 }, { product: lotItems[1]!.product, quantity: 2 }], { notes: '周末备用' })
  await headApi.post(`/requisitions/${delivered.id}/approve`, {})
  const rel = await wh.post<{ shipments: { pick_list: number }[] }>(`/requisitions/${delivered.id}/release`)
  const pl = await wh.get<{ id: number; lines: { id: number; lot: number; quantity: number }[] }>(`/pick-lists/${rel.shipments.at(-1)!.pick_list}`)
  for (const l of pl.lines) await wh.post(`/pick-lists/${pl.id}/lines/${l.id}/confirm`, { lot: l.lot, quantity: l.quantity })
  await wh.post(`/requisitions/${delivered.id}/ship`)
  await wh.post(`/requisitions/${delivered.id}/deliver`)
  const waiting = await mk([{ product: lotItems[2]!.product, quantity: 20 }, { product: lotItems[3]!.product, quantity: 10 }], { urgency: 'urgent', needed_by: new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10), notes: '明早手术备用' })

  // The nurse on the tablet.
  const ward = await browser.newPage(tabletOpts)
  await signedIn(ward, request, 'nurse', '/')
  await expect(ward.getByTestId('tile-request')).toBeVisible()
  await save(ward, 'tablet-ward-home')
  await ward.getByTestId('tile-request').click()
  await expect(ward.getByTestId('catalogue-item').first()).toBeVisible()
  await ward.getByTestId('catalogue-item').nth(0).getByRole('button').click()
  await ward.getByTestId('catalogue-item').nth(3).getByRole('button').click()
  await ward.getByTestId('urgency-urgent').click()
  await ward.getByTestId('notes').fill('明早手术备用')
  await save(ward, 'ward-request')
  await ward.getByTestId('par-propose').click()
  await expect(ward.getByTestId('cart-line').first()).toBeVisible()
  await dismissBanner(ward)
  await save(ward, 'ward-par-proposal')
  await ward.goto(`/ward/requisitions/${waiting.id}`)
  await expect(ward.getByTestId('requisition-status')).toBeVisible()
  await save(ward, 'ward-requisition')
  await ward.goto(`/ward/requisitions/${delivered.id}`)
  await expect(ward.getByTestId('receive-panel')).toBeVisible()
  const lines = await wh.get<{ lines: { lot: number; lot_number: string; expiry: string; product: number }[] }>(`/pick-lists/${pl.id}`)
  const first = lines.lines[0]!
  const gtin = (await wh.get<{ items: { di: string; level: string }[] }>('/packaging', { product: first.product, limit: 10 })).items.find((p) => p.level === 'each')!.di
  await scan(ward, gs1(gtin, first.expiry, first.lot_number))
  await save(ward, 'ward-receive')
  await dismissBanner(ward)
  await ward.getByTestId('receive-all').click()
  await expect(ward.getByTestId('requisition-status')).toHaveText('已签收')
  await ward.goto('/ward/use')
  await scan(ward, gs1(gtin, first.expiry, first.lot_number))
  await dismissBanner(ward)
  await ward.getByTestId('patient-ref').fill('张三')
  await save(ward, 'ward-use-name-refused')
  await ward.getByTestId('patient-ref').fill('PT-2026-0042')
  await ward.getByTestId('procedure').fill('PCI')
  await ward.getByTestId('surgeon').fill('王医生')
  await save(ward, 'ward-use')
  await ward.close()

  // The head approves on the tablet.
  const headPage = await browser.newPage(tabletOpts)
  await signedIn(headPage, request, 'head', `/ward/requisitions/${waiting.id}`)
  await expect(headPage.getByTestId('approve-panel')).toBeVisible()
  await headPage.getByTestId('approve-qty').first().locator('input').fill('12')
  await headPage.getByTestId('approve-qty').first().locator('input').blur()
  await headPage.getByTestId('approve-reason').first().fill('本月预算紧张，先领 12')
  await save(headPage, 'ward-approve')
  await headPage.goto('/ward/requisitions?tab=approve')
  await expect(headPage.getByTestId('requisition-item').first()).toBeVisible()
  await save(headPage, 'ward-to-approve')
  await headPage.close()

  // The catalogue on a phone.
  const phone = await browser.newPage(phoneOpts)
  await signedIn(phone, request, 'nurse', '/ward/request')
  await expect(phone.getByTestId('catalogue-item').first()).toBeVisible()
  await phone.getByTestId('catalogue-item').nth(1).getByRole('button').click()
  await save(phone, 'ward-request-phone')
  await phone.close()

  // Alerts: QA's handheld on Home when a reserved lot is put on hold.
  const east = (await wh.get<{ id: number; code: string }[]>('/tasks/destinations')).find((d) => d.code === 'WH-E-RCV')!
  const o = await wh.post<{ id: number }>('/transfer-orders', { from_warehouse: 1, to_location: east.id, lines: [{ product: PLATE.id, quantity: 1 }] })
  const p = await wh.post<{ lines: { lot: number }[] }>(`/transfer-orders/${o.id}/allocate`, {})
  const qa = await browser.newPage(phoneOpts)
  await signedIn(qa, request, 'qa', '/')
  await expect(qa.getByTestId('tile-alerts-count')).toContainText(/\d/)
  await qa.waitForTimeout(800)
  await qaApi.post(`/lots/${p.lines[0]!.lot}/hold`, { reason: '外包装破损待查' })
  await expect(qa.getByTestId('alert-toast').first()).toBeVisible({ timeout: 15_000 })
  await expect(qa.getByTestId('alerts-badge')).toBeVisible()
  await save(qa, 'alerts-toast')
  const held = (await qaApi.get<{ items: { id: number; lot: number | null }[] }>('/alerts', { rule: 'blocked_lot_reserved', limit: 50 })).items.find((a) => a.lot === p.lines[0]!.lot)!
  await qa.goto(`/alerts/${held.id}`)
  await expect(qa.getByTestId('alert-detail')).toBeVisible()
  await save(qa, 'alert-detail')
  await qa.getByTestId('alert-snooze').click()
  await qa.getByTestId('snooze-reason').fill('等待供应商回复')
  await save(qa, 'alert-snooze')
  await qa.getByTestId('snooze-cancel').click()
  await qa.goto('/alerts')
  await expect(qa.getByTestId('alert-item').first()).toBeVisible()
  await save(qa, 'alerts-inbox')
  await qa.setViewportSize({ width: 800, height: 1280 })
  await qa.reload()
  await expect(qa.getByTestId('alert-item').first()).toBeVisible()
  await save(qa, 'tablet-alerts-inbox')
  await qa.close()
})

test('ward orders on the handheld', async ({ browser, request }) => {
  test.setTimeout(120_000)
  const nurseApi = await apiAs(request, 'nurse')
  const headApi = await apiAs(request, 'head')
  const wh = await apiAs(request, 'warehouse')
  const dept = nurseApi.session.user.department_ids?.[0] ?? 1
  const stocked = await stockedCatalogue(request, 3)
  // Three approved requisitions: one waiting for release, one picking, one shipped.
  const approved = async (product: number, quantity: number, urgency = 'routine') => {
    const r = await nurseApi.post<{ id: number }>('/requisitions', { department: dept, lines: [{ product, quantity }], urgency, submit: true })
    await headApi.post(`/requisitions/${r.id}/approve`, {})
    return r.id
  }
  await approved(stocked[0]!.product, 4, 'urgent')
  const picking = await approved(stocked[1]!.product, 3)
  await wh.post(`/requisitions/${picking}/release`)
  const shipped = await approved(stocked[2]!.product, 2)
  const rel = await wh.post<{ shipments: { pick_list: number }[] }>(`/requisitions/${shipped}/release`)
  const pl = await wh.get<{ id: number; lines: { id: number; lot: number; quantity: number }[] }>(`/pick-lists/${rel.shipments.at(-1)!.pick_list}`)
  for (const l of pl.lines) await wh.post(`/pick-lists/${pl.id}/lines/${l.id}/confirm`, { lot: l.lot, quantity: l.quantity })
  await wh.post(`/requisitions/${shipped}/ship`)

  const hand = await browser.newPage()
  await signedIn(hand, request, 'warehouse', '/')
  await expect(hand.getByTestId('tile-dispatch')).toBeVisible()
  await hand.getByTestId('tile-dispatch').click()
  await expect(hand.getByTestId('dispatch-item').first()).toBeVisible()
  await save(hand, 'dispatch-list')
  await hand.goto(`/dispatch/${picking}`)
  await expect(hand.getByTestId('dispatch-pick-progress')).toBeVisible()
  await hand.getByTestId('dispatch-ship').click()
  await expect(hand.getByTestId('scan-banner')).toHaveAttribute('data-state', 'refusal')
  await save(hand, 'dispatch-ship-refused')
  await hand.goto(`/dispatch/${shipped}`)
  await expect(hand.getByTestId('dispatch-unit').first()).toBeVisible()
  await save(hand, 'dispatch-deliver')
  await hand.evaluate(() => localStorage.setItem('lotwise.locale', 'en'))
  await hand.reload()
  await expect(hand.getByTestId('dispatch-unit').first()).toBeVisible()
  await save(hand, 'dispatch-deliver-en')
  await hand.evaluate(() => localStorage.setItem('lotwise.locale', 'zh-CN'))
  await hand.close()
})
