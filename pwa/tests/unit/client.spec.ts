import { describe, expect, it, vi } from 'vitest'
import { NetworkError, ProblemError, createClient, filenameOf, problemFromResponse, type ClientConfig } from '@/api/client'

function json(status: number, body: unknown, type = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type } })
}

function client(fetchImpl: typeof fetch, extra: Partial<ClientConfig> = {}) {
  return createClient({ getToken: () => 'tok', getLanguage: () => 'zh-CN', fetch: fetchImpl, ...extra })
}

describe('problem+json mapping', () => {
  it('keeps the server problem as it is', () => {
    const body = { type: 'https://lotwise.dev/problems/lot-expired', title: '批次已过期', status: 409, detail: '批次 A1 已于 2026-01-31 过期', code: 'LOT_EXPIRED', field: 'lot' }
    const e = problemFromResponse(409, 'Conflict', 'application/problem+json', JSON.stringify(body))
    expect(e).toBeInstanceOf(ProblemError)
    expect(e.problem).toEqual(body)
    expect(e.message).toBe('批次 A1 已于 2026-01-31 过期')
    expect(e.isRefusal).toBe(true)
  })

  it('synthesises a problem from a non-JSON error page', () => {
    const e = problemFromResponse(502, 'Bad Gateway', 'text/html', '<html>bad gateway</html>')
    expect(e.code).toBe('HTTP_502')
    expect(e.status).toBe(502)
    expect(e.isTransient).toBe(true)
  })

  it('classifies "try later" 4xx answers as transient', () => {
    const inProgress = problemFromResponse(409, '', 'application/problem+json', JSON.stringify({ title: 'x', status: 409, detail: 'd', code: 'IDEMPOTENCY_IN_PROGRESS' }))
    expect(inProgress.isRefusal).toBe(false)
    expect(problemFromResponse(429, 'Too Many', 'text/plain', '').isRefusal).toBe(false)
    expect(problemFromResponse(422, '', 'application/problem+json', JSON.stringify({ title: 'x', status: 422, detail: 'd', code: 'BARCODE_CHECK_DIGIT' })).isRefusal).toBe(true)
  })
})

describe('createClient', () => {
  it('sends token, language and an idempotency key on mutations only', async () => {
    const fetchMock = vi.fn(async () => json(200, { ok: true }))
    const c = client(fetchMock as unknown as typeof fetch)
    await c.post('/scans', { raw: 'x' })
    await c.get('/auth/me')
    const [postUrl, post] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    const [, get] = fetchMock.mock.calls[1] as unknown as [string, RequestInit]
    const ph = post.headers as Record<string, string>
    const gh = get.headers as Record<string, string>
    expect(postUrl).toBe('/api/v1/scans')
    expect(ph.Authorization).toBe('Bearer tok')
    expect(ph['Accept-Language']).toBe('zh-CN')
    expect(ph['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(post.body).toBe('{"raw":"x"}')
    expect(gh['Idempotency-Key']).toBeUndefined()
  })

  it('reuses a given idempotency key (replay)', async () => {
    const fetchMock = vi.fn(async () => json(200, {}))
    await client(fetchMock as unknown as typeof fetch).request('POST', '/x', { body: {}, idempotencyKey: 'k-1' })
    expect(((fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1].headers as Record<string, string>)['Idempotency-Key']).toBe('k-1')
  })

  it('throws ProblemError with the server detail for a 422', async () => {
    const fetchMock = vi.fn(async () => json(422, { type: 'about:blank', title: '条码无效', status: 422, detail: 'GTIN 校验位错误', code: 'BARCODE_CHECK_DIGIT' }, 'application/problem+json'))
    const err = await client(fetchMock as unknown as typeof fetch).post('/scans', { raw: '01' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProblemError)
    expect((err as ProblemError).code).toBe('BARCODE_CHECK_DIGIT')
    expect((err as ProblemError).detail).toBe('GTIN 校验位错误')
  })

  it('reports 401 as session expiry, except when told not to', async () => {
    const onUnauthorized = vi.fn()
    const fetchMock = vi.fn(async () => json(401, { title: 'Unauthorized', status: 401, detail: '登录已过期', code: 'AUTH_EXPIRED' }, 'application/problem+json'))
    const c = client(fetchMock as unknown as typeof fetch, { onUnauthorized })
    await expect(c.get('/auth/me')).rejects.toBeInstanceOf(ProblemError)
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
    await expect(c.post('/auth/login', {}, { skipAuthHandling: true })).rejects.toBeInstanceOf(ProblemError)
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('turns a failed fetch into NetworkError', async () => {
    const fetchMock = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    })
    const err = await client(fetchMock as unknown as typeof fetch).get('/x').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect(['network', 'offline']).toContain((err as NetworkError).kind)
  })

  it('aborts after the timeout with NetworkError("timeout")', async () => {
    const fetchMock = vi.fn(
      (_url: string, init: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
        }),
    )
    const err = await client(fetchMock as unknown as typeof fetch, { timeoutMs: 20 }).get('/slow').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as NetworkError).kind).toBe('timeout')
  })

  it('returns undefined for 204', async () => {
    const fetchMock = vi.fn(async () => new Response(null, { status: 204 }))
    await expect(client(fetchMock as unknown as typeof fetch).post('/auth/logout')).resolves.toBeUndefined()
  })
})

describe('getBlob (a PDF with the user credentials)', () => {
  const pdf = () =>
    new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]), {
      status: 200,
      headers: { 'content-type': 'application/pdf', 'content-disposition': 'inline; filename="REQ-7-delivery-note.pdf"' },
    })

  it('sends the bearer token and language, asks for the file type and returns the bytes and the suggested name', async () => {
    const fetchMock = vi.fn(async () => pdf())
    const file = await client(fetchMock as unknown as typeof fetch).getBlob('/requisitions/7/delivery-note', { accept: 'application/pdf' })
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    const h = init.headers as Record<string, string>
    expect(url).toBe('/api/v1/requisitions/7/delivery-note')
    expect(init.method).toBe('GET')
    expect(h.Authorization).toBe('Bearer tok')
    expect(h['Accept-Language']).toBe('zh-CN')
    expect(h.Accept).toBe('application/pdf, application/problem+json')
    expect(h['Idempotency-Key']).toBeUndefined()
    expect(file.filename).toBe('REQ-7-delivery-note.pdf')
    expect(file.blob.type).toBe('application/pdf')
    expect(new TextDecoder().decode(await file.blob.arrayBuffer())).toBe('%PDF-')
  })

  it('turns a refusal into ProblemError and a 401 into session expiry, like the JSON calls', async () => {
    const onUnauthorized = vi.fn()
    const notFound = vi.fn(async () => json(404, { title: 'Not Found', status: 404, detail: '未找到请领单 99', code: 'NOT_FOUND' }, 'application/problem+json'))
    const err = await client(notFound as unknown as typeof fetch, { onUnauthorized }).getBlob('/requisitions/99/delivery-note').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProblemError)
    expect((err as ProblemError).detail).toBe('未找到请领单 99')
    expect(onUnauthorized).not.toHaveBeenCalled()
    const expired = vi.fn(async () => json(401, { title: 'x', status: 401, detail: '请先登录', code: 'AUTHENTICATION_REQUIRED' }, 'application/problem+json'))
    await expect(client(expired as unknown as typeof fetch, { onUnauthorized }).getBlob('/x')).rejects.toBeInstanceOf(ProblemError)
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('reads the file name of a Content-Disposition header', () => {
    expect(filenameOf('inline; filename="REQ-7-delivery-note.pdf"')).toBe('REQ-7-delivery-note.pdf')
    expect(filenameOf('attachment; filename=a.pdf')).toBe('a.pdf')
    expect(filenameOf("attachment; filename=\"x.pdf\"; filename*=UTF-8''%E9%85%8D%E9%80%81%E5%8D%95.pdf")).toBe('配送单.pdf')
    expect(filenameOf('inline')).toBeNull()
    expect(filenameOf(null)).toBeNull()
  })
})
