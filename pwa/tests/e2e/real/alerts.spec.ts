/**
 * Live alerts against the real server (embedded worker): QA has the app open on Home; a lot
 * that has reservations is put on hold through the API → `blocked_lot_reserved` (critical) is
 * raised at once → a live toast and the badge count in the open app. Then the inbox: snooze
 * without a reason is refused in words, acknowledge and snooze (with a reason) work.
 */
import { apiAs, expect, SYRINGE, signedIn, test } from './fixtures'

test('a hold on a reserved lot raises a live alert; acknowledge, snooze, and a refusal', async ({ page, request }) => {
  const wh = await apiAs(request, 'warehouse')
  const qa = await apiAs(request, 'qa')
  // A reservation: a transfer order allocated into a pick list.
  const east = (await wh.get<{ id: number; code: string }[]>('/tasks/destinations')).find((d) => d.code === 'WH-E-RCV')!
  // A product no other journey uses (not the syringe, not in cardiology's catalogue) with stock to reserve.
  const card = await wh.get<{ items: { product: number }[] }>('/departments/1/catalogue', { limit: 200 }).catch(() => ({ items: [] }))
  const busy = new Set([SYRINGE.id, 226, 295, ...card.items.map((i) => i.product)])
  const stock = await wh.get<{ items: { product: number; available: number; location_kind: string; lot_status: string }[] }>('/stock', { warehouse: 1, limit: 200 })
  const product = stock.items.filter((b) => b.location_kind === 'storage' && b.lot_status === 'released' && b.available > 0 && !busy.has(b.product)).at(-1)!.product
  const order = await wh.post<{ id: number }>('/transfer-orders', { from_warehouse: 1, to_location: east.id, lines: [{ product, quantity: 1 }] })
  const pick = await wh.post<{ lines: { lot: number }[] }>(`/transfer-orders/${order.id}/allocate`, {})
  const lot = pick.lines[0]!.lot
  const before = await qa.get<{ open: number }>('/alerts/counts')

  await signedIn(page, request, 'qa', '/')
  await expect(page.getByTestId('tile-alerts-count')).toHaveText(String(before.open))
  // Wait for the live socket before changing anything (the app greets on connect).
  await page.waitForFunction(() => performance.getEntriesByType('resource').length > 0)
  await page.waitForTimeout(500)

  await qa.post(`/lots/${lot}/hold`, { reason: 'e2e: 怀疑包装破损' })
  const toast = page.getByTestId('alert-toast').first()
  await expect(toast).toBeVisible({ timeout: 15_000 })
  await expect(toast).toContainText(/新预警|预警升级/)
  await expect(page.getByTestId('alerts-badge')).toHaveText(before.open + 1 > 99 ? '99+' : String(before.open + 1))
  await expect(page.getByTestId('tile-alerts-count')).toHaveText(String(before.open + 1))

  // The toast opens the alert (or the inbox, when the sweep raised others at the same moment).
  const raisedAlert = (await qa.get<{ items: { id: number; lot: number | null }[] }>('/alerts', { rule: 'blocked_lot_reserved', limit: 50 })).items.find((a) => a.lot === lot)!
  const id = raisedAlert.id
  await toast.locator('button').first().click()
  await expect(page).toHaveURL(/\/alerts(\/\d+)?$/)
  await page.goto(`/alerts/${id}`)
  const detail = page.getByTestId('alert-detail')
  await expect(detail).toContainText('冻结批次仍有预留')
  await expect(page.getByTestId('alert-state')).toHaveText('未处理')

  // Refusal: snooze without a reason (the server's words).
  await page.getByTestId('alert-snooze').click()
  await page.getByTestId('snooze-confirm').click()
  await expect(page.getByTestId('snooze-error')).toBeVisible()
  expect((await qa.get<{ state: string }>(`/alerts/${id}`)).state).toBe('open')
  await page.getByTestId('snooze-cancel').click()
  await expect(page.getByTestId('snooze-dialog')).toBeHidden()

  // Acknowledge.
  await page.getByTestId('alert-ack').click()
  await expect(page.getByTestId('alert-state')).toHaveText('已确认')
  const acked = await qa.get<{ state: string; acknowledged_by: number }>(`/alerts/${id}`)
  expect(acked.state).toBe('acknowledged')
  expect(acked.acknowledged_by).toBe(qa.session.user.id)

  // Snooze with a reason and a time.
  await page.getByTestId('alert-snooze').click()
  await page.getByTestId('snooze-reason').fill('等待供应商回复')
  await page.getByTestId('snooze-confirm').click()
  await expect(page.getByTestId('alert-state')).toHaveText('已暂缓')
  const snoozed = await qa.get<{ state: string; snooze_reason: string; snoozed_until: string }>(`/alerts/${id}`)
  expect(snoozed.state).toBe('snoozed')
  expect(snoozed.snooze_reason).toBe('等待供应商回复')
  expect(new Date(snoozed.snoozed_until).getTime()).toBeGreaterThan(Date.now())

  // The inbox lists it under its filters.
  await page.goto('/alerts')
  await page.getByTestId('filter-severity').selectOption('critical')
  await page.getByTestId('filter-rule').selectOption('blocked_lot_reserved')
  await page.getByTestId('filter-state').selectOption('snoozed')
  await expect(page.getByTestId('alert-item').first()).toContainText('冻结批次仍有预留')
})
