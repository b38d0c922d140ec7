/**
 * The scan banner and the default scan handler: show "reading…" at once, ask the server what
 * the code is (/api/v1/scans), then turn the answer into green / amber / red with a reason.
 */
import { defineStore } from 'pinia'
import { api } from '@/api'
import { NetworkError, ProblemError } from '@/api/client'
import type { ScanProduct, ScanRequest, ScanResponse, ScanWarning } from '@/api/types'
import { currentLocale, i18n } from '@/i18n'
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
export const STOP_CODES = new Set([
  'LOT_EXPIRED',
  'LOT_RECALLED',
  'LOT_REJECTED',
  'LOT_ON_HOLD',
  'SERIAL_RECALLED',
  'SERIAL_REJECTED',
  'SERIAL_ON_HOLD',
  'REGISTRATION_EXPIRED',
])

/** Outcomes where the code was read but means nothing known here. */
const UNKNOWN_OUTCOMES = new Set(['product_unknown', 'location_unknown', 'lot_unknown', 'pick_list_unknown', 'unsupported'])

/** Name and model/specification (DOMAIN.md: shown beside every product name), English name in en. */
export function productLabel(p: ScanProduct | null | undefined): string | null {
  if (!p) return null
  const name = currentLocale() === 'en' && p.name_en ? p.name_en : p.name
  return p.model ? `${name} ${p.model}` : name
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
        const body: ScanRequest = { raw: event.raw }
        if (event.profile) body.profile = event.profile
        if (event.station) body.station = event.station
        const response = await api.post<ScanResponse>('/scans', body, { timeoutMs: 10000 })
        if (seq !== this.seq) return
        this.last = { raw: event.raw, response, cachedAt: null }
        this.present(response, event)
        // After the banner is painted: cloning the answer into IndexedDB costs main-thread time.
        setTimeout(() => void this.remember(event.raw, response), 50)
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
          // The problem's `title` is a fixed English summary; `detail` is in the user's language.
          const title = err.code.startsWith('BARCODE_') ? t('scan.badBarcode') : t('scan.refusal')
          // The screen must not go on showing the previous code's answer under a red banner.
          this.last = null
          this.show('refusal', title, err.problem.detail || err.problem.title, event)
          return
        }
        if (err instanceof NetworkError) {
          const cached = await (await readCache()).get<ScanResponse>('scan', event.raw).catch(() => null)
          if (seq !== this.seq) return
          if (cached) {
            this.last = { raw: event.raw, response: cached.value, cachedAt: cached.seenAt }
            this.show('warning', t('scan.offlineCached'), productLabel(cached.value.product) ?? '', event)
          } else {
            this.last = null
            this.show('warning', t('scan.offline'), err.kind === 'timeout' ? t('errors.timeout') : t('errors.network'), event)
          }
          return
        }
        this.show('refusal', t('errors.generic'), err instanceof Error ? err.message : String(err), event)
      }
    },
    present(response: ScanResponse, event: ScanEvent): void {
      const status: ScanWarning[] = response.warnings ?? []
      const messages = [...(response.decoded?.warnings ?? []), ...status].map((w) => w.message || w.code)
      const label = productLabel(response.product)
      if (status.some((w) => STOP_CODES.has(w.code))) {
        this.show('refusal', label ?? t('scan.refusal'), messages.join('；'), event)
      } else if (UNKNOWN_OUTCOMES.has(response.outcome)) {
        const key = `scan.outcome.${response.outcome}`
        this.show('warning', i18n.global.te(key) ? t(key) : t('scan.unknown'), [response.decoded?.gtin ?? response.decoded?.di ?? '', ...messages].filter(Boolean).join('；'), event)
      } else if (messages.length > 0) {
        this.show('warning', label ?? t('scan.warning'), messages.join('；'), event)
      } else {
        const d = response.decoded
        const lot = response.lot?.lot_number ?? d?.lot
        const expiry = response.lot?.expiry ?? d?.expiry
        const where = response.location ? [response.location.warehouse_code, response.location.code].filter(Boolean).join(' · ') : null
        const reason = [lot ? `${t('lookup.fields.lot')} ${lot}` : '', expiry ? `${t('lookup.fields.expiry')} ${expiry}` : '', response.serial ? `${t('lookup.fields.serial')} ${response.serial.serial}` : '']
        this.show('success', label ?? where ?? t('scan.success'), reason.filter(Boolean).join(' · '), event)
      }
    },
    async remember(raw: string, response: ScanResponse): Promise<void> {
      try {
        const cache = await readCache()
        await cache.put('scan', raw, response)
        if (response.product) await cache.put('product', String(response.product.id), response.product)
        if (response.lot) await cache.put('lot', String(response.lot.id), response.lot)
        if (response.location) await cache.put('location', String(response.location.id), response.location)
      } catch {
        /* the read cache is a convenience; a full disk shows up when queueing work */
      }
    },
  },
})
