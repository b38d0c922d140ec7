import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useScanStore } from '@/stores/scan'
import type { ScanResponse } from '@/api/types'

const decoded = { agency: 'GS1', di: '04012345678901', gtin: '04012345678901', lot: 'A1', serial: null, expiry: '2027-12-31', production_date: null, quantity: null, symbology: ']d2', warnings: [] }
const answer = (extra: Partial<ScanResponse> = {}): ScanResponse => ({
  outcome: 'product',
  log_id: 1,
  decoded,
  product: { id: 1, code: 'SYR-5', name: '一次性使用无菌注射器', name_en: 'Sterile syringe', model: '5ml', tracking: 'lot', base_unit: '支', active: true, level: 'each', base_units: 1 },
  lot: { id: 9, lot_number: 'A1', expiry: '2027-12-31', status: 'released' },
  serial: null,
  location: null,
  document: null,
  actions: [],
  warnings: [],
  ...extra,
})

function respond(status: number, body: unknown, type = 'application/json') {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': type } })))
}

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => vi.unstubAllGlobals())

describe('scan banner', () => {
  it('shows "reading" synchronously, in the same tick as the scan', () => {
    respond(200, answer())
    const scan = useScanStore()
    void scan.lookup({ raw: '0104012345678901', source: 'wedge', at: performance.now() })
    expect(scan.banner.state).toBe('reading')
    expect(scan.banner.shownAt - scan.banner.scannedAt).toBeLessThan(100)
  })

  it('goes green with the product name when all is well', async () => {
    respond(200, answer())
    const scan = useScanStore()
    await scan.lookup({ raw: 'x', source: 'wedge', at: 0 })
    expect(scan.banner.state).toBe('success')
    expect(scan.banner.title).toBe('一次性使用无菌注射器 5ml')
  })

  it('goes amber on decoder warnings', async () => {
    respond(200, answer({ decoded: { ...decoded, warnings: [{ code: 'LOT_LOOKS_LIKE_AI', message: '批号中疑似包含应用标识符' }] } }))
    const scan = useScanStore()
    await scan.lookup({ raw: 'x', source: 'wedge', at: 0 })
    expect(scan.banner.state).toBe('warning')
    expect(scan.banner.reason).toContain('批号中疑似包含应用标识符')
  })

  it('goes red for an expired or recalled lot', async () => {
    respond(200, answer({ warnings: [{ code: 'LOT_EXPIRED', message: '批次已过期' }] }))
    const scan = useScanStore()
    await scan.lookup({ raw: 'x', source: 'wedge', at: 0 })
    expect(scan.banner.state).toBe('refusal')
    expect(scan.banner.reason).toBe('批次已过期')
  })

  it('goes amber when the code is read but unknown here', async () => {
    respond(200, answer({ outcome: 'product_unknown', product: null, lot: null }))
    const scan = useScanStore()
    await scan.lookup({ raw: 'x', source: 'wedge', at: 0 })
    expect(scan.banner).toMatchObject({ state: 'warning', title: '未找到对应的器械' })
  })

  it('sends the station and its profile for station scans, nothing extra otherwise', async () => {
    respond(200, answer())
    const scan = useScanStore()
    await scan.lookup({ raw: 'a', source: 'station', station: 'RECV-1', profile: 'tilde-gs', at: 0 })
    await scan.lookup({ raw: 'b', source: 'camera', at: 0 })
    const calls = (fetch as unknown as { mock: { calls: Array<[string, RequestInit]> } }).mock.calls
    expect(JSON.parse(String(calls[0]![1].body))).toEqual({ raw: 'a', profile: 'tilde-gs', station: 'RECV-1' })
    expect(JSON.parse(String(calls[1]![1].body))).toEqual({ raw: 'b' })
  })

  it('goes red with the server words for an undecodable barcode (422)', async () => {
    respond(422, { type: 'about:blank', title: 'Wrong check digit', status: 422, detail: 'GTIN 校验位错误', code: 'BARCODE_CHECK_DIGIT' }, 'application/problem+json')
    const scan = useScanStore()
    await scan.lookup({ raw: '0104012345678902', source: 'wedge', at: 0 })
    expect(scan.banner).toMatchObject({ state: 'refusal', title: '条码无法识别', reason: 'GTIN 校验位错误' })
  })

  it('falls back to the read cache when offline', async () => {
    respond(200, answer())
    const scan = useScanStore()
    await scan.lookup({ raw: 'cached-code', source: 'wedge', at: 0 })
    await scan.remember('cached-code', answer())
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    }))
    await scan.lookup({ raw: 'cached-code', source: 'wedge', at: 0 })
    expect(scan.banner.state).toBe('warning')
    expect(scan.last?.cachedAt).not.toBeNull()
  })

  it('ignores a slow answer to an older scan', async () => {
    let release: (r: Response) => void = () => {}
    vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>((r) => (release = r))))
    const scan = useScanStore()
    const first = scan.lookup({ raw: 'old', source: 'wedge', at: 0 })
    const firstRelease = release
    respond(422, { title: 'bad', status: 422, detail: 'newer scan refused', code: 'BARCODE_CHECK_DIGIT' }, 'application/problem+json')
    await scan.lookup({ raw: 'new', source: 'wedge', at: 0 })
    firstRelease(new Response(JSON.stringify(answer()), { status: 200, headers: { 'content-type': 'application/json' } }))
    await first
    expect(scan.banner.reason).toBe('newer scan refused')
  })
})

describe('server failures', () => {
  beforeEach(() => setActivePinia(createPinia()))
  it('shows amber, not red, when the server fails (5xx): the item was not refused', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>502</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } })))
    const scan = useScanStore()
    await scan.lookup({ raw: 'x', source: 'wedge', at: 0 })
    expect(scan.banner.state).toBe('warning')
    vi.unstubAllGlobals()
  })
})

describe('lookup result', () => {
  beforeEach(() => setActivePinia(createPinia()))
  it('forgets the previous answer when the next scan is refused', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(answer()), { status: 200, headers: { 'content-type': 'application/json' } })))
    const scan = useScanStore()
    await scan.lookup({ raw: 'good', source: 'wedge', at: 0 })
    expect(scan.last?.raw).toBe('good')
    respond(422, { title: 'x', status: 422, detail: 'bad', code: 'BARCODE_CHECK_DIGIT' }, 'application/problem+json')
    await scan.lookup({ raw: 'bad', source: 'wedge', at: 0 })
    expect(scan.last).toBeNull()
    vi.unstubAllGlobals()
  })
})
