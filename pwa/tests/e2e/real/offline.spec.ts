/**
 * Offline on a handheld against the real server: the connection drops mid-shift, two picks are
 * confirmed offline (checked against the lot numbers on screen), a lot seen before is still
 * readable in Lookup; meanwhile the office cancels one of the pick lists. Back online, the
 * outbox replays in order: the first pick lands (ledger checked through the API), the second is
 * refused and shown item by item with the server's words.
 */
import type { Page } from '@playwright/test'
import { apiAs, dismissBanner, expect, expectBanner, gs1, locationLabel, scan, signedIn, SYRINGE, test } from './fixtures'

interface Line { id: number; lot: number; lot_number: string; expiry: string | null; location_code: string; quantity: number }
interface List { id: number; document_id: number; lines: Line[] }

async function openPickList(page: Page, id: number) {
  await page.getByTestId('tile-pick').click()
  await page.locator(`a[href="/pick/${id}"]`).click()
  await expect(page.getByTestId('pick-line')).toBeVisible()
}

async function back(page: Page) {
  await dismissBanner(page) // the banner lies over the header until tapped or timed out
  await page.getByRole('button', { name: '返回' }).click()
}

test('offline picks are queued, replayed in order; a refused replay is shown; seen lots stay readable', async ({ page, context, request }) => {
  test.setTimeout(60_000)
  const api = await apiAs(request, 'warehouse')
  const [east] = (await api.get<{ id: number; code: string }[]>('/tasks/destinations')).filter((d) => d.code === 'WH-E-RCV')
  const lists: List[] = []
  for (let i = 0; i < 2; i++) {
    const order = await api.post<{ id: number }>('/transfer-orders', { from_warehouse: 1, to_location: east!.id, lines: [{ product: SYRINGE.id, quantity: 1 }] })
    lists.push(await api.post<List>(`/transfer-orders/${order.id}/allocate`, {}))
  }
  const [a, b] = lists as [List, List]
  const labelOf = (l: Line) => gs1(SYRINGE.gtin, l.expiry!, l.lot_number)

  await signedIn(page, request, 'warehouse', '/')
  // Online: look the lot up once (it is kept for offline reading), open both pick lists.
  await page.getByTestId('tile-lookup').click()
  await scan(page, labelOf(a.lines[0]!))
  await expect(page.getByTestId('lookup-ledger')).toBeVisible()
  await back(page)
  await openPickList(page, b.id)
  await back(page)
  await back(page)
  await openPickList(page, a.id)

  await context.setOffline(true)
  for (const [list, last] of [[a, false], [b, true]] as const) {
    const line = list.lines[0]!
    await scan(page, locationLabel('WH-C', line.location_code))
    await expectBanner(page, 'warning', '离线核对')
    await scan(page, labelOf(line))
    await page.getByTestId('pick-confirm').click()
    await expectBanner(page, 'warning', '已离线保存')
    await expect(page.getByTestId('pick-finished')).toBeVisible()
    if (!last) {
      await back(page)
      await page.locator(`a[href="/pick/${b.id}"]`).click()
      await expect(page.getByTestId('pick-line')).toBeVisible()
    }
  }
  await back(page)
  await back(page)
  await expect(page.getByTestId('net-status')).toHaveText(/离线/)
  await expect(page.getByTestId('pending-counter')).toContainText('2 项待同步')

  // Still readable offline: the lot seen before, from the read cache.
  await page.getByTestId('tile-lookup').click()
  await scan(page, labelOf(a.lines[0]!))
  await expectBanner(page, 'warning', '离线：显示缓存结果')
  await expect(page.getByTestId('lookup-ledger')).toBeVisible()
  await page.screenshot({ path: 'test-results/screens/offline-lookup.png' })
  await back(page)

  // Meanwhile the office cancels the second pick list.
  await api.post(`/pick-lists/${b.id}/cancel`, { reason: 'e2e: 科室取消申领' })

  await context.setOffline(false)
  await expect(page.getByTestId('pending-counter')).toContainText('1 项被拒绝', { timeout: 10_000 })
  await page.getByTestId('pending-counter').click()
  const items = page.getByTestId('pending-item')
  await expect(items).toHaveCount(1)
  await expect(items.first()).toContainText(`拣货单 ${b.id}`)
  await expect(items.first()).toContainText(/PICK_LINE_CLOSED|DOCUMENT_STATE/)
  await expect(items.first()).toContainText('已取消')
  await page.screenshot({ path: 'test-results/screens/offline-refused.png' })

  // The first pick reached the ledger, once, under the key it was queued with.
  const ledger = await api.get<{ reason_name: string; quantity: number; document_type: string | null; document_id: number | null; idempotency_key: string | null }[]>(`/lots/${a.lines[0]!.lot}/ledger`)
  const mine = ledger.filter((e) => e.document_type === 'pick_list' && e.document_id === a.id)
  expect(mine.map((e) => e.quantity).sort()).toEqual([-1, 1])
  expect(new Set(mine.map((e) => e.idempotency_key)).size).toBe(1)
  expect(mine[0]!.idempotency_key).toBeTruthy()
  const pickA = await api.get<{ lines: { status: string }[] }>(`/pick-lists/${a.id}`)
  expect(pickA.lines[0]!.status).toBe('picked')
})
