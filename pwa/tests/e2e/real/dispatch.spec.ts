/**
 * Ward orders against the real server: Home's 请领配送 tile counts the requisitions waiting for
 * the warehouse (the same number as `GET /tasks/summary` and the 待下发 tab), following an
 * approval and a cancellation; the delivery note downloads as a PDF with the user's bearer token
 * (no session cookie in these browsers) on the handheld and on the ward's tablet, and its
 * barcode (`LW:DOC:REQ:<id>`) scanned on Ward orders opens the requisition.
 */
import { readFile } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { apiAs, expect, scan, signedIn, stockedCatalogue, test } from './fixtures'

interface Summary {
  dispatch: number
}

test('the Ward orders tile counts the requisitions waiting for release', async ({ page, request }) => {
  const nurse = await apiAs(request, 'nurse')
  const head = await apiAs(request, 'head')
  const wh = await apiAs(request, 'warehouse')
  const before = (await wh.get<Summary>('/tasks/summary')).dispatch
  expect(before).toBeGreaterThanOrEqual(1) // the demo has one approved requisition waiting

  await signedIn(page, request, 'warehouse', '/')
  await expect(page.getByTestId('tile-dispatch-count')).toHaveText(String(before))

  const item = (await stockedCatalogue(request, 1))[0]!
  const dept = nurse.session.user.department_ids?.[0] ?? 1
  const req = await nurse.post<{ id: number }>('/requisitions', { department: dept, lines: [{ product: item.product, quantity: 1 }], submit: true })
  expect((await head.post<{ status: string }>(`/requisitions/${req.id}/approve`, {})).status).toBe('approved')
  expect((await wh.get<Summary>('/tasks/summary')).dispatch).toBe(before + 1)
  await page.reload()
  await expect(page.getByTestId('tile-dispatch-count')).toHaveText(String(before + 1))
  // The tile and the screen's 待下发 tab say the same.
  await page.getByTestId('tile-dispatch').click()
  await expect(page.getByTestId('dispatch-tab-release')).toContainText(String(before + 1))

  await nurse.post(`/requisitions/${req.id}/cancel`, { reason: 'e2e: 不再需要' })
  await page.goto('/')
  await expect(page.getByTestId('tile-dispatch-count')).toHaveText(String(before))
})

/** Click the delivery-note button; the PDF the browser saves, and the request that fetched it. */
async function downloadNote(page: Page, id: number): Promise<{ bytes: Buffer; name: string; authorization: string | undefined }> {
  const [download, sent] = await Promise.all([
    page.waitForEvent('download'),
    page.waitForRequest((r) => r.url().endsWith(`/api/v1/requisitions/${id}/delivery-note`)),
    page.getByTestId('delivery-note').click(),
  ])
  const bytes = await readFile((await download.path())!)
  return { bytes, name: download.suggestedFilename(), authorization: (await sent.allHeaders())['authorization'] }
}

test('the delivery note downloads as a PDF on the handheld and the tablet, and its barcode opens the requisition', async ({ page, browser, request }) => {
  const wh = await apiAs(request, 'warehouse')
  const shipped = await wh.get<{ items: { id: number }[] }>('/requisitions', { status: 'shipped', limit: 1 })
  const id = shipped.items[0]!.id // the demo has one shipped, waiting for the ward

  await signedIn(page, request, 'warehouse', '/dispatch')
  await expect(page.getByTestId('dispatch-tab-release')).toBeVisible()
  // The note's barcode, as a scanner sends it, opens the requisition.
  expect(await scan(page, `LW:DOC:REQ:${id}`)).toBe('success')
  await expect(page).toHaveURL(new RegExp(`/dispatch/${id}$`))
  await expect(page.getByTestId('dispatch-status')).toHaveText('已发出')

  expect(await page.context().cookies()).toEqual([]) // only the bearer token can authorise the download
  const note = await downloadNote(page, id)
  expect(note.authorization).toMatch(/^Bearer /)
  expect(note.name).toBe(`REQ-${id}-delivery-note.pdf`)
  expect(note.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  await expect(page.getByTestId('scan-banner')).toContainText(`REQ-${id}`)

  // The ward's tablet: the same note from the requisition's page.
  const ctx = await browser.newContext({ viewport: { width: 800, height: 1280 }, locale: 'zh-CN', serviceWorkers: 'block', baseURL: process.env.LOTWISE_E2E_SERVER })
  const ward = await ctx.newPage()
  await signedIn(ward, request, 'nurse', `/ward/requisitions/${id}`)
  await expect(ward.getByTestId('requisition-status')).toHaveText('已发出')
  const wardNote = await downloadNote(ward, id)
  expect(wardNote.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  await ctx.close()
})
