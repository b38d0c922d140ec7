/** Helpers for the journeys against the real server: API calls as a demo user, a signed-in
 *  page, wedge scans and the banner's answer, and GS1 / location label strings. */
import { expect, test as base, type APIRequestContext, type Page } from '@playwright/test'
import { wedgeBurst } from '../helpers'

export const PASSWORD = 'lotwise-demo-2026'
export const GS = '\u001d'
export const SERVER = process.env.LOTWISE_E2E_SERVER ?? ''

export const test = base.extend({
  // The server's URL is known only once globalSetup has started it.
  baseURL: async ({}, use) => {
    await use(process.env.LOTWISE_E2E_SERVER)
  },
})
export { expect }

export interface Session {
  token: string
  user: { id: number; username: string; full_name: string; roles: string[]; warehouse_ids: number[]; department_ids?: number[] }
}

const sessions = new Map<string, Session>()

export async function login(request: APIRequestContext, username: string): Promise<Session> {
  const hit = sessions.get(username)
  if (hit) return hit
  const r = await request.post(`${SERVER}/api/v1/auth/login`, { data: { username, password: PASSWORD } })
  expect(r.ok(), await r.text()).toBeTruthy()
  const body = (await r.json()) as { access_token: string; user: Session['user'] }
  const s = { token: body.access_token, user: body.user }
  sessions.set(username, s)
  return s
}

/** A small API client as one demo user (for set-up and for checking the server's state). */
export async function apiAs(request: APIRequestContext, username: string) {
  const s = await login(request, username)
  const headers = { Authorization: `Bearer ${s.token}`, 'Accept-Language': 'zh-CN' }
  return {
    session: s,
    async get<T>(path: string, params?: Record<string, string | number>): Promise<T> {
      const r = await request.get(`${SERVER}/api/v1${path}`, { headers, params })
      expect(r.ok(), `${path}: ${await r.text()}`).toBeTruthy()
      return (await r.json()) as T
    },
    async post<T>(path: string, data?: unknown): Promise<T> {
      const r = await request.post(`${SERVER}/api/v1${path}`, { headers: { ...headers, 'Idempotency-Key': crypto.randomUUID() }, data: data ?? {} })
      expect(r.ok(), `${path}: ${await r.text()}`).toBeTruthy()
      return (await r.json()) as T
    },
  }
}

/** Open the app already signed in as `username` (the token comes from the real server). */
export async function signedIn(page: Page, request: APIRequestContext, username: string, path = '/'): Promise<void> {
  const s = await login(request, username)
  await page.addInitScript((saved) => {
    if (!sessionStorage.getItem('lw-e2e-once')) {
      sessionStorage.setItem('lw-e2e-once', '1')
      localStorage.setItem('lotwise.session', JSON.stringify(saved))
    }
  }, s)
  await page.goto(path)
  // The screen claims scans when it is mounted (its lazy chunk loaded): a scan sent before that
  // goes to the default lookup and answers something else.
  await page.locator('main').first().waitFor()
}

/** A wedge scan with focus on no text field; resolves to the banner's final state. The previous
 *  banner is dismissed first, so the state read is this scan's answer. */
export async function scan(page: Page, raw: string): Promise<string> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.())
  const banner = page.getByTestId('scan-banner')
  if (await banner.isVisible()) {
    await banner.click()
    await expect(banner).toBeHidden()
  }
  // Keys back to back: on this busy 2-core machine a 3 ms sleep can stretch past the wedge's
  // 35 ms gap and split the burst (the wedge's own timing is tested in smoke.spec.ts).
  await wedgeBurst(page, raw, 0, false)
  await expect(banner).toHaveAttribute('data-state', /^(success|warning|refusal)$/, { timeout: 10_000 })
  return (await banner.getAttribute('data-state')) ?? ''
}

export async function expectBanner(page: Page, state: 'success' | 'warning' | 'refusal', text?: string | RegExp): Promise<void> {
  const banner = page.getByTestId('scan-banner')
  await expect(banner).toHaveAttribute('data-state', state)
  if (text) await expect(banner).toContainText(text)
}

export async function dismissBanner(page: Page): Promise<void> {
  const banner = page.getByTestId('scan-banner')
  if (await banner.isVisible()) await banner.click()
  await expect(banner).toBeHidden()
}

const pad = (n: number) => String(n).padStart(2, '0')
export function yymmdd(d: Date): string {
  return `${String(d.getFullYear()).slice(2)}${pad(d.getMonth() + 1)}${pad(d.getDate())}`
}
export function iso(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}
export function daysFromNow(n: number): Date {
  const d = new Date()
  d.setDate(d.getDate() + n)
  return d
}

/** A GS1 Data Matrix as the scanner sends it: ]d2, GTIN, expiry, lot (GS-terminated), serial. */
export function gs1(gtin: string, expiry: Date | string, lot: string, serial?: string): string {
  const exp = typeof expiry === 'string' ? expiry.slice(2).replace(/-/g, '') : yymmdd(expiry)
  return `]d201${gtin}17${exp}10${lot}${GS}${serial ? `21${serial}` : ''}`
}

export const locationLabel = (warehouse: string, code: string) => `LW:LOC:${warehouse}:${code}`

/** The demo's first syringe (lot-tracked, FEFO, at least 180 days' shelf life on receipt). */
export const SYRINGE = { id: 1, gtin: '06971234000019' }

export interface CatalogueProduct {
  product: number
  product_code: string
  tracking: string
}

/** The ward's lot-tracked catalogue products (not the syringes other journeys use) that WH-C
 *  holds released, in date, at least `min` of one lot in storage: up to `n` of them. */
export async function stockedCatalogue(request: APIRequestContext, n: number, min = 5): Promise<CatalogueProduct[]> {
  const nurse = await apiAs(request, 'nurse')
  const wh = await apiAs(request, 'warehouse')
  const dept = nurse.session.user.department_ids?.[0] ?? 1
  const cat = await nurse.get<{ items: CatalogueProduct[] }>(`/departments/${dept}/catalogue`, { limit: 200 })
  const found: CatalogueProduct[] = []
  for (const c of cat.items.filter((c) => c.tracking === 'lot' && !c.product_code.startsWith('SYRI'))) {
    const stock = await wh.get<{ items: { available: number; location_kind: string; lot_status: string; expiry: string | null }[] }>('/stock', { warehouse: 1, product: c.product, limit: 100 })
    if (stock.items.some((b) => b.location_kind === 'storage' && b.lot_status === 'released' && b.available >= min && (!b.expiry || b.expiry > '2027'))) found.push(c)
    if (found.length === n) break
  }
  if (found.length < n) throw new Error(`only ${found.length} catalogue products with stock at WH-C`)
  return found
}
