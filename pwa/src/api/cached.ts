/**
 * Reads that stay readable offline: a GET answered by the server is kept in the read cache;
 * without a connection the last answer is returned with the time it was seen.
 */
import { api } from '@/api'
import { NetworkError, type RequestOptions } from './client'
import { readCache } from '@/stores/offline'

export interface Cached<T> {
  data: T
  /** null: fresh from the server; else when the cached answer was fetched (ms). */
  cachedAt: number | null
}

function keyOf(path: string, query?: RequestOptions['query']): string {
  const q = query ? Object.entries(query).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${String(v)}`).sort().join('&') : ''
  return `GET ${path}${q ? '?' + q : ''}`
}

export async function cachedGet<T>(path: string, options: RequestOptions = {}): Promise<Cached<T>> {
  const key = keyOf(path, options.query)
  try {
    const data = await api.get<T>(path, { timeoutMs: 8000, ...options })
    void readCache()
      .then((c) => c.put('scan', key, data))
      .catch(() => undefined)
    return { data, cachedAt: null }
  } catch (err) {
    if (!(err instanceof NetworkError)) throw err
    const hit = await (await readCache()).get<T>('scan', key).catch(() => null)
    if (!hit) throw err
    return { data: hit.value, cachedAt: hit.seenAt }
  }
}
