/**
 * Bad input and bad luck on the Receive screen, against the real server: a code the server cannot
 * read, a server error, a request that never arrives, an expired session, a full IndexedDB. Each
 * is said in words (zh-CN), and the lines the worker has scanned are never lost.
 */
import type { Page } from '@playwright/test'
import { daysFromNow, dismissBanner, expect, expectBanner, gs1, PASSWORD, scan, signedIn, SYRINGE, test } from './fixtures'

const label = (lot: string) => gs1(SYRINGE.gtin, daysFromNow(1000), lot)

async function startReceipt(page: Page, lot: string) {
  await page.getByTestId('receive-supplier').selectOption({ index: 1 })
  expect(await scan(page, label(lot))).toBe('success')
  await expect(page.getByTestId('receive-line')).toHaveCount(1)
  await dismissBanner(page)
}

test('unreadable code, server error, lost request: said in words, the lines are kept', async ({ page, request }) => {
  await signedIn(page, request, 'warehouse', '/receive')
  // A bad check digit: red, the decoder's reason.
  await scan(page, '0106971234000018')
  await expectBanner(page, 'refusal', '条码无法识别')
  await expect(page.getByTestId('scan-banner-reason')).toContainText('校验位')
  await dismissBanner(page)

  await startReceipt(page, 'BAD-500')
  // The server fails (500 with a problem document): amber, the lines stay.
  await page.route('**/api/v1/receipts', (route) =>
    route.fulfill({ status: 500, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'boom', code: 'INTERNAL' }) }),
  )
  await page.getByTestId('receive-submit').click()
  await expectBanner(page, 'warning', '服务器暂时出错')
  await expect(page.getByTestId('scan-banner')).toContainText('已填写的内容已保留')
  await expect(page.getByTestId('receive-line')).toHaveCount(1)
  await dismissBanner(page)

  // The request never arrives (connection dropped): kept in the outbox, sent later.
  await page.unroute('**/api/v1/receipts')
  await page.route('**/api/v1/receipts', (route) => route.abort('connectionreset'))
  await page.getByTestId('receive-submit').click()
  await expectBanner(page, 'warning', '已离线保存')
  await page.unroute('**/api/v1/receipts')
  await dismissBanner(page)
  await page.getByRole('button', { name: '返回' }).click()
  await page.getByTestId('pending-counter').click()
  await expect(page.getByTestId('pending-item')).toContainText('BAD-500')
  await page.getByTestId('sync-now').click()
  await expect(page.getByTestId('pending-item')).toHaveCount(0)
})

test('an expired session returns to sign-in and the scanned lines survive it', async ({ page, request }) => {
  await signedIn(page, request, 'warehouse', '/receive')
  await startReceipt(page, 'EXP-SESSION')
  // The server no longer accepts the token (as after a password change or a revoked session).
  await page.evaluate(() => {
    const saved = JSON.parse(localStorage.getItem('lotwise.session')!)
    localStorage.setItem('lotwise.session', JSON.stringify({ ...saved, token: 'expired.token.value' }))
  })
  await page.reload()
  await expect(page.getByTestId('signin-title')).toBeVisible()
  await expect(page.getByText('登录已过期')).toBeVisible()
  await page.getByTestId('username').fill('warehouse')
  await page.getByTestId('password').fill(PASSWORD)
  await page.getByTestId('signin-submit').click()
  await expect(page).toHaveURL(/\/receive$/)
  await expect(page.getByTestId('draft-kept')).toBeVisible()
  await expect(page.getByTestId('receive-line').getByTestId('line-lot')).toHaveValue('EXP-SESSION')
})

test('a full IndexedDB: the outbox cannot keep the receipt, the user is told and keeps the lines', async ({ page, context, request }) => {
  await page.addInitScript(() => {
    for (const name of ['add', 'put'] as const) {
      const original = IDBObjectStore.prototype[name]
      IDBObjectStore.prototype[name] = function (this: IDBObjectStore, ...args: Parameters<typeof original>) {
        if ((window as unknown as { __lwFull?: boolean }).__lwFull && this.name === 'outbox') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
        return original.apply(this, args)
      } as typeof original
    }
  })
  await signedIn(page, request, 'warehouse', '/receive')
  await startReceipt(page, 'DISK-FULL')
  await context.setOffline(true)
  await page.evaluate(() => ((window as unknown as { __lwFull?: boolean }).__lwFull = true))
  await page.getByTestId('receive-submit').click()
  await expect(page.getByTestId('storage-full')).toContainText('设备存储空间已满')
  await expect(page.getByTestId('receive-line')).toHaveCount(1)
  await context.setOffline(false)
})
