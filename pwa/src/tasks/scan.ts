/**
 * Scans on task screens: the screen claims scans while it is shown, says "reading…" in the same
 * frame, asks the server what the code is, and turns failures into words. Offline, the last
 * answer for the same code (read cache) or what the code says on its own is used instead.
 */
import { onBeforeUnmount, onMounted } from 'vue'
import { api } from '@/api'
import { NetworkError, ProblemError } from '@/api/client'
import type { ScanRequest, ScanResponse } from '@/api/types'
import { i18n } from '@/i18n'
import { pushScanHandler, type ScanEvent } from '@/scanning/bus'
import { parseLocal, type LocalScan } from '@/scanning/local'
import { readCache } from '@/stores/offline'
import { useScanStore, STOP_CODES } from '@/stores/scan'

const t = (key: string, values?: Record<string, unknown>) => (values ? i18n.global.t(key, values) : i18n.global.t(key))

export type Resolved =
  | { ok: true; response: ScanResponse; offline: false }
  | { ok: true; response: ScanResponse; offline: true; cachedAt: number }
  | { ok: false; offline: true; local: LocalScan }
  | { ok: false; offline: false }

/** Claim scans while the calling component is mounted. */
export function useTaskScans(handler: (event: ScanEvent) => void | Promise<void>): void {
  let release: (() => void) | null = null
  onMounted(() => {
    release = pushScanHandler((event) => {
      const scan = useScanStore()
      scan.seq++
      scan.show('reading', t('scan.reading'), '', event)
      void Promise.resolve(handler(event)).catch((err) => reportError(err, event))
    })
  })
  onBeforeUnmount(() => release?.())
}

/** Ask the server what the scan is. A refusal of the code itself (bad barcode) is shown red and
 *  answered `ok: false`; no connection falls back to the cache or to local parsing. */
export async function resolveScan(event: ScanEvent): Promise<Resolved> {
  const scan = useScanStore()
  try {
    const body: ScanRequest = { raw: event.raw }
    if (event.profile) body.profile = event.profile
    if (event.station) body.station = event.station
    const response = await api.post<ScanResponse>('/scans', body, { timeoutMs: 8000 })
    // Kept for offline use after the screen has answered (cloning into IndexedDB costs time).
    setTimeout(() => void scan.remember(event.raw, response), 50)
    return { ok: true, response, offline: false }
  } catch (err) {
    if (err instanceof NetworkError) {
      const cached = await (await readCache()).get<ScanResponse>('scan', event.raw).catch(() => null)
      if (cached) return { ok: true, response: cached.value, offline: true, cachedAt: cached.seenAt }
      return { ok: false, offline: true, local: parseLocal(event.raw) }
    }
    reportError(err, event)
    return { ok: false, offline: false }
  }
}

/** Any failure in words, in the user's language; the screen keeps its state. */
export function reportError(err: unknown, event?: ScanEvent): void {
  const scan = useScanStore()
  if (err instanceof ProblemError) {
    if (err.status === 401) return scan.dismiss()
    if (err.status >= 500) return scan.show('warning', t('errors.server'), t('errors.keptWork'), event)
    const title = err.code.startsWith('BARCODE_') ? t('scan.badBarcode') : t('scan.refusal')
    return scan.show('refusal', title, err.problem.detail || err.problem.title, event)
  }
  if (err instanceof NetworkError) {
    return scan.show('warning', err.kind === 'timeout' ? t('errors.timeout') : t('errors.network'), t('errors.keptWork'), event)
  }
  if (err instanceof Error && err.name === 'StorageFullError') return scan.show('refusal', t('errors.generic'), t('errors.storageFull'), event)
  scan.show('refusal', t('errors.generic'), err instanceof Error ? err.message : String(err), event)
}

/** Status warnings that mean "do not use" (expired, recalled, on hold, rejected). */
export function stopWarnings(response: ScanResponse): string[] {
  return (response.warnings ?? []).filter((w) => STOP_CODES.has(w.code)).map((w) => w.message || w.code)
}

export function otherWarnings(response: ScanResponse, ignore: string[] = []): string[] {
  return [...(response.decoded?.warnings ?? []), ...(response.warnings ?? [])]
    .filter((w) => !STOP_CODES.has(w.code) && !ignore.includes(w.code))
    .map((w) => w.message || w.code)
}

export function todayIso(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

export function daysUntil(date: string): number {
  const [y, m, d] = date.split('-').map(Number)
  const target = Date.UTC(y!, m! - 1, d!)
  const now = new Date()
  return Math.round((target - Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())) / 86400000)
}
