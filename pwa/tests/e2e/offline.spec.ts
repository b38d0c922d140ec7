/**
 * Offline behaviour against the built app with no API stubs: the preview proxy points at a closed
 * port, so every /api call fails the way an unreachable server does.
 */
import { expect, test, type Page } from '@playwright/test'

const USER = { id: 5, username: 'zhao.min', full_name: '赵敏', roles: ['warehouse'], warehouse_ids: [1], department_ids: [] }

async function signedIn(page: Page) {
  await page.addInitScript((user) => {
    localStorage.setItem('lotwise.session', JSON.stringify({ token: 't', user }))
  }, USER)
}

/** Put items into the outbox exactly as the app stores them (IndexedDB "lotwise", store "outbox"). */
async function seedOutbox(page: Page) {
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('lotwise', 1)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    const tx = db.transaction('outbox', 'readwrite')
    const base = { method: 'POST', userId: '5', createdAt: Date.now(), attempts: 0, nextAttemptAt: 0, lastError: null }
    tx.objectStore('outbox').add({ ...base, idempotencyKey: 'k-1', path: '/receipts', body: { qty: 10 }, label: '收货 10 盒 · 批号 A1B2', status: 'pending' })
    tx.objectStore('outbox').add({
      ...base,
      idempotencyKey: 'k-2',
      path: '/putaways',
      body: {},
      label: '上架 · 货位 A-01-03',
      status: 'refused',
      attempts: 1,
      lastError: { status: 409, code: 'LOT_NOT_RELEASED', title: '批次未放行', detail: '批次 A1B2 尚未验收放行，不能上架', field: null },
    })
    await new Promise((r) => (tx.oncomplete = r))
    db.close()
  })
}

test.describe('offline', () => {
  test.use({ serviceWorkers: 'allow' })

  test('the service worker precaches the shell: sign-in opens with no network', async ({ page, context }) => {
    await page.goto('/signin')
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready
    })
    // Give the install step time to finish precaching, then cut the network.
    await expect.poll(() => page.evaluate(async () => (await caches.keys()).some((k) => k.includes('precache')))).toBe(true)
    await context.setOffline(true)
    await page.reload()
    await expect(page.getByTestId('signin-title')).toHaveText('登录')
    await page.goto('/lookup')
    await expect(page).toHaveURL(/\/signin/)
    await context.setOffline(false)
  })

  test('queued work survives a failed replay and a reload; refusals are shown with the reason', async ({ page }) => {
    await signedIn(page)
    await page.goto('/')
    await seedOutbox(page)
    await page.reload()
    await expect(page.getByTestId('pending-counter')).toContainText('1 项被拒绝')
    await page.getByTestId('pending-counter').click()
    const items = page.getByTestId('pending-item')
    await expect(items).toHaveCount(2)
    await expect(items.nth(1)).toContainText('批次 A1B2 尚未验收放行，不能上架')
    // Replay against a server that is not there: nothing is lost, the pending one records the try.
    await page.getByTestId('sync-now').click()
    await expect(items.nth(0)).toContainText(/已尝试 \d+ 次/)
    await expect(items.nth(0)).toContainText('将自动重试')
    await page.screenshot({ path: 'test-results/screens/pending-zh-360x640.png', fullPage: true })
    await page.reload()
    await expect(items).toHaveCount(2)
  })
})
