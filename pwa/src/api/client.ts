/**
 * The one HTTP client of the PWA: bearer token, Accept-Language, Idempotency-Key on mutations,
 * a timeout, and every failure turned into a typed error (ProblemError or NetworkError).
 */
import type { Problem } from './types'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

const MUTATIONS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function isMutation(method: HttpMethod): boolean {
  return MUTATIONS.has(method)
}

/** The server answered with an error: always carries a problem+json body (synthesised if the
 *  server sent something else, e.g. a proxy's HTML 502 page). */
export class ProblemError extends Error {
  readonly problem: Problem
  constructor(problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`)
    this.name = 'ProblemError'
    this.problem = problem
  }
  get status(): number {
    return this.problem.status
  }
  get code(): string {
    return this.problem.code
  }
  get detail(): string {
    return this.problem.detail
  }
  get field(): string | null | undefined {
    return this.problem.field
  }
  /** 4xx except the ones that mean "try again later": the server refused the request itself. */
  get isRefusal(): boolean {
    const s = this.status
    if (s === 408 || s === 425 || s === 429) return false
    if (s === 409 && this.code === 'IDEMPOTENCY_IN_PROGRESS') return false
    return s >= 400 && s < 500
  }
  /** Worth retrying later with the same idempotency key. */
  get isTransient(): boolean {
    return !this.isRefusal
  }
}

export type NetworkErrorKind = 'offline' | 'timeout' | 'network' | 'aborted'

/** No answer from the server at all. A mutation may or may not have been applied: replay it
 *  with the same Idempotency-Key to find out. */
export class NetworkError extends Error {
  readonly kind: NetworkErrorKind
  constructor(kind: NetworkErrorKind, message?: string) {
    super(message ?? kind)
    this.name = 'NetworkError'
    this.kind = kind
  }
}

export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.status === 'number' && (typeof v.title === 'string' || typeof v.detail === 'string')
}

/** Turn any error response into a ProblemError (pure: unit-tested). */
export function problemFromResponse(status: number, statusText: string, contentType: string, body: string): ProblemError {
  let parsed: unknown = null
  if (/json/i.test(contentType) && body) {
    try {
      parsed = JSON.parse(body)
    } catch {
      parsed = null
    }
  }
  if (isProblem(parsed)) {
    const p = parsed as Partial<Problem> & { status: number }
    return new ProblemError({
      type: p.type ?? 'about:blank',
      title: p.title ?? statusText,
      status: p.status,
      detail: p.detail ?? p.title ?? statusText,
      code: p.code ?? `HTTP_${status}`,
      field: p.field ?? null,
    })
  }
  return new ProblemError({
    type: 'about:blank',
    title: statusText || `HTTP ${status}`,
    status,
    detail: statusText || `HTTP ${status}`,
    code: `HTTP_${status}`,
    field: null,
  })
}

/** A random UUID v4 that also works on plain-HTTP LAN origins, where crypto.randomUUID is absent. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const b = new Uint8Array(16)
  c.getRandomValues(b)
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export interface ClientConfig {
  baseUrl?: string
  getToken: () => string | null
  getLanguage: () => string
  /** Called on 401 from anything but the login call: the session has expired. */
  onUnauthorized?: (error: ProblemError) => void
  timeoutMs?: number
  fetch?: typeof fetch
}

export interface RequestOptions {
  body?: unknown
  query?: Record<string, string | number | boolean | null | undefined>
  /** Mutations get a fresh key when none is given; pass one to replay. */
  idempotencyKey?: string
  timeoutMs?: number
  signal?: AbortSignal
  /** Do not treat 401 as session expiry (the sign-in call itself). */
  skipAuthHandling?: boolean
}

/** A file the server sent (a PDF): its bytes and the name it suggests. */
export interface Download {
  blob: Blob
  filename: string | null
}

export interface ApiClient {
  request<T>(method: HttpMethod, path: string, options?: RequestOptions): Promise<T>
  get<T>(path: string, options?: RequestOptions): Promise<T>
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>
  /** GET a file with the same credentials, language and error handling as the JSON calls. */
  getBlob(path: string, options?: RequestOptions & { accept?: string }): Promise<Download>
}

/** The file name of a Content-Disposition header (RFC 6266: filename*=UTF-8'' first). */
export function filenameOf(disposition: string | null): string | null {
  if (!disposition) return null
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim())
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/.exec(disposition)
  return plain ? (plain[1] ?? plain[2] ?? null) : null
}

export function createClient(config: ClientConfig): ApiClient {
  const baseUrl = config.baseUrl ?? '/api/v1'
  const defaultTimeout = config.timeoutMs ?? 15000

  /** One request: headers, timeout, and every failure as NetworkError or ProblemError; the
   *  caller reads the successful response's body. */
  async function send(method: HttpMethod, path: string, options: RequestOptions, accept: string): Promise<{ response: Response; timedOut: boolean }> {
    const doFetch = config.fetch ?? globalThis.fetch.bind(globalThis)
    const headers: Record<string, string> = {
      Accept: accept,
      'Accept-Language': config.getLanguage(),
    }
    const token = config.getToken()
    if (token) headers.Authorization = `Bearer ${token}`
    if (isMutation(method)) headers['Idempotency-Key'] = options.idempotencyKey ?? newIdempotencyKey()
    let body: string | undefined
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.body)
    }
    let url = baseUrl + path
    if (options.query) {
      const q = new URLSearchParams()
      for (const [k, v] of Object.entries(options.query)) if (v !== undefined && v !== null) q.set(k, String(v))
      const s = q.toString()
      if (s) url += (url.includes('?') ? '&' : '?') + s
    }

    // The device says it is offline: answer at once instead of waiting for the timeout.
    if (typeof navigator !== 'undefined' && navigator.onLine === false) throw new NetworkError('offline')

    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, options.timeoutMs ?? defaultTimeout)
    const onOuterAbort = () => controller.abort()
    options.signal?.addEventListener('abort', onOuterAbort, { once: true })

    let response: Response
    try {
      response = await doFetch(url, { method, headers, body, signal: controller.signal, credentials: 'same-origin' })
    } catch (err) {
      if (timedOut) throw new NetworkError('timeout')
      if (options.signal?.aborted) throw new NetworkError('aborted')
      const offline = typeof navigator !== 'undefined' && navigator.onLine === false
      throw new NetworkError(offline ? 'offline' : 'network', err instanceof Error ? err.message : String(err))
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onOuterAbort)
    }
    if (!response.ok) {
      const text = await readBody(() => response.text(), timedOut)
      const error = problemFromResponse(response.status, response.statusText, response.headers.get('content-type') ?? '', text)
      if (error.status === 401 && !options.skipAuthHandling) config.onUnauthorized?.(error)
      throw error
    }
    return { response, timedOut }
  }

  async function readBody<B>(read: () => Promise<B>, timedOut: boolean): Promise<B> {
    try {
      return await read()
    } catch (err) {
      throw new NetworkError(timedOut ? 'timeout' : 'network', err instanceof Error ? err.message : String(err))
    }
  }

  async function request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const { response, timedOut } = await send(method, path, options, 'application/json, application/problem+json')
    if (response.status === 204) return undefined as T
    const text = await readBody(() => response.text(), timedOut)
    if (!text) return undefined as T
    try {
      return JSON.parse(text) as T
    } catch {
      throw new ProblemError({
        type: 'about:blank',
        title: 'Invalid JSON',
        status: response.status,
        detail: 'The server sent an answer that is not JSON.',
        code: 'CLIENT_BAD_JSON',
        field: null,
      })
    }
  }

  async function getBlob(path: string, options: RequestOptions & { accept?: string } = {}): Promise<Download> {
    const { response, timedOut } = await send('GET', path, options, `${options.accept ?? 'application/octet-stream'}, application/problem+json`)
    const blob = await readBody(() => response.blob(), timedOut)
    return { blob, filename: filenameOf(response.headers.get('content-disposition')) }
  }

  return {
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    getBlob,
  }
}
