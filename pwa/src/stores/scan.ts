/**
 * The scan banner and the default scan handler: show "reading…" at once, ask the server what
 * the code is (/api/v1/scans), then turn the answer into green / amber / red with a reason.
 */
import { defineStore } from 'pinia'
import { api } from '@/api'
import { NetworkError, ProblemError } from '@/api/client'
import type { ScanEntity, ScanResponse, ScanWarning } from '@/api/types'
import { i18n } from '@/i18n'
import { signal, type FeedbackKind } from '@/feedback'
import { readCache } from './offline'
import type { ScanEvent, ScanSource } from '@/scanning/bus'

export type BannerState = 'idle' | 'reading' | FeedbackKind

export interface Banner {
  state: BannerState
  title: string
  reason: string
  raw: string
  source: ScanSource | null
  /** When the scan event happened (performance.now()); the banner must follow within 100 ms. */
  scannedAt: number
  shownAt: number
}

export interface LookupResult {
  raw: string
  response: ScanResponse
  /** Set when this came from the offline read cache. */
  cachedAt: number | null
}

const AUTO_HIDE_MS: Partial<Record<BannerState, number>> = { success: 2500, warning: 8000 }

const t = (key: string, values?: Record<string, unknown>) => (values ? i18n.global.t(key, values) : i18n.global.t(key))

/** Status codes that mean "do not use this": shown red even on a lookup. */
export const STOP_CODES = new Set(['LOT_EXPIRED', 'LOT_RECALLED', 'LOT_REJECTED', 'LOT_ON_HOLD', 'LOT_QUARANTINED', 'SERIAL_RECALLED', 'REGISTRATION_EXPIRED'])

function warningCode(w: ScanWarning | string): string {
  return typeof w === 'string' ? '' : w.code
}

function warningText(w: ScanWarning | string): string {
  return typeof w === 'string' ? w : w.message || w.code
}

/** Pick the first present field: the entity shapes are not fixed until the OpenAPI schema lands. */
export function field(entity: ScanEntity | null | undefined, ...keys: string[]): string | null {
  if (!entity) return null
  for (const k of keys) {
    const v = entity[k]
    if (v !== undefined && v !== null && v !== '') return String(v)
  }
  return null
}

export function productLabel(p: ScanEntity | null | undefined): string | null {
  const name = field(p, 'name', 'name_zh', 'display_name', 'title')
  const model = field(p, 'model', 'specification', 'model_spec')
  if (!name) return null
  return model ? `${name} ${model}` : name
}

let hideTimer: ReturnType<typeof setTimeout> | undefined

export const useScanStore = defineStore('scan', {
  state: () => ({
    banner: { state: 'idle', title: '', reason: '', raw: '', source: null, scannedAt: 0, shownAt: 0 } as Banner,
    last: null as LookupResult | null,
    seq: 0,
  }),
  actions: {
    show(state: BannerState, title: string, reason: string, event?: Pick<ScanEvent, 'raw' | 'source' | 'at'>): void {
      clearTimeout(hideTimer)
      this.banner = {
        state,
        title,
        reason,
        raw: event?.raw ?? this.banner.raw,
        source: event?.source ?? this.banner.source,
        scannedAt: event?.at ?? this.banner.scannedAt,
        shownAt: performance.now(),
      }
      if (state === 'success' || state === 'warning' || state === 'refusal') signal(state)
      const hide = AUTO_HIDE_MS[state]
      if (hide) hideTimer = setTimeout(() => this.dismiss(), hide)
    },
    dismiss(): void {
      clearTimeout(hideTimer)
      this.banner = { ...this.banner, state: 'idle' }
    },
    /** The default scan handler. */
    async lookup(event: ScanEvent): Promise<void> {
      const seq = ++this.seq
      this.show('reading', t('scan.reading'), '', event)
      try {
        const response = await api.post<ScanResponse>('/scans', { raw: event.raw, ...(event.profile ? { profile: event.profile } : {}) }, { timeoutMs: 10000 })
        if (seq !== this.seq) return
        this.last = { raw: event.raw, response, cachedAt: null }
        void this.remember(event.raw, response)
        this.present(response, event)
      } catch (err) {
        if (seq !== this.seq) return
        if (err instanceof ProblemError && err.status === 401) {
          // Session expired: the app is already on its way to sign-in.
          this.dismiss()
          return
        }
        if (err instanceof ProblemError && err.status >= 500) {
          // The server failed, the item was not refused: amber, try again.
          this.show('warning', t('errors.server'), err.problem.detail, event)
          return
        }
        if (err instanceof ProblemError) {
          this.show('refusal', err.problem.title || t('scan.refusal'), err.problem.detail, event)
          return
        }
        if (err instanceof NetworkError) {
          const cached = await (await readCache()).get<ScanResponse>('scan', event.raw).catch(() => null)
          if (seq !== this.seq) return
          if (cached) {
            this.last = { raw: event.raw, response: cached.value, cachedAt: cached.seenAt }
            this.show('warning', t('scan.offlineCached'), productLabel(cached.value.product) ?? '', event)
          } else {
            this.show('warning', t('scan.offline'), err.kind === 'timeout' ? t('errors.timeout') : t('errors.network'), event)
          }
          return
        }
        this.show('refusal', t('errors.generic'), err instanceof Error ? err.message : String(err), event)
      }
    },
    present(response: ScanResponse, event: ScanEvent): void {
      const warnings = [...(response.decoded?.warnings ?? []), ...(response.status_warnings ?? [])].map(warningText)
      const label = productLabel(response.product)
      const stop = (response.status_warnings ?? []).some((w) => STOP_CODES.has(warningCode(w)))
      if (stop) {
        this.show('refusal', label ?? t('scan.refusal'), warnings.join('；'), event)
      } else if (warnings.length > 0) {
        this.show('warning', label ?? t('scan.warning'), warnings.join('；'), event)
      } else if (!response.product && !response.lot && !response.location) {
        this.show('warning', t('scan.unknown'), response.decoded?.gtin ?? response.decoded?.di ?? '', event)
      } else {
        const lot = response.decoded?.lot ? `${t('lookup.fields.lot')} ${response.decoded.lot}` : ''
        const where = field(response.location, 'code', 'name')
        this.show('success', label ?? where ?? t('scan.success'), [lot, response.decoded?.expiry ? `${t('lookup.fields.expiry')} ${response.decoded.expiry}` : ''].filter(Boolean).join(' · '), event)
      }
    },
    async remember(raw: string, response: ScanResponse): Promise<void> {
      try {
        const cache = await readCache()
        await cache.put('scan', raw, response)
        const p = response.product
        if (p) await cache.put('product', String(p.id ?? response.decoded.gtin ?? response.decoded.di ?? raw), p)
        if (response.lot) await cache.put('lot', String(response.lot.id ?? raw), response.lot)
        if (response.location) await cache.put('location', String(response.location.id ?? raw), response.location)
      } catch {
        /* the read cache is a convenience; a full disk shows up when queueing work */
      }
    },
  },
})
