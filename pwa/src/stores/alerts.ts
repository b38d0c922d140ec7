/**
 * Live alerts: the badge counts (GET /alerts/counts), the in-app toast for alerts raised or
 * escalated over /ws, and a system notification when the user allowed them. The inbox itself
 * (views/Alerts.vue) loads lazily; this store stays small because it is in the first load.
 */
import { defineStore } from 'pinia'
import { api } from '@/api'
import type { AlertCounts } from '@/api/types'

export type Severity = 'info' | 'warning' | 'critical'
export const ALERT_TOPICS = ['alert.raised', 'alert.escalated', 'alert.resolved', 'alert.acknowledged', 'alert.snoozed'] as const

export interface AlertToast {
  key: string
  alert: number
  topic: string
  severity: Severity
  title: string
  titleEn: string
  at: number
}

/** What an alert event says to a person: a toast for raised/escalated, nothing otherwise. */
export function toastOf(topic: string, data: Record<string, unknown>, key: string, now = Date.now()): AlertToast | null {
  if (topic !== 'alert.raised' && topic !== 'alert.escalated') return null
  const alert = Number(data.alert ?? data.id)
  if (!Number.isFinite(alert) || alert <= 0) return null
  const sev = String(data.severity ?? 'warning')
  return {
    key,
    alert,
    topic,
    severity: sev === 'critical' || sev === 'info' ? sev : 'warning',
    title: String(data.title ?? ''),
    titleEn: String(data.title_en ?? data.title ?? ''),
    at: now,
  }
}

/** Is the alert for someone with these roles? /ws broadcasts alerts without a warehouse or
 *  department (licences, registrations) to everyone, so the payload's `roles` decide here too.
 *  Admins and auditors see all; a payload without roles is shown. */
export function forRoles(data: Record<string, unknown>, roles: readonly string[]): boolean {
  if (roles.includes('admin') || roles.includes('auditor')) return true
  const wanted = data.roles
  if (!Array.isArray(wanted) || !wanted.length) return true
  return wanted.some((r) => roles.includes(String(r)))
}

/** A key for one event: its outbox id when it has one (the same event can arrive on two channels). */
export function eventKey(topic: string, data: Record<string, unknown>, id?: number | string): string {
  return id !== undefined ? `e${id}` : `${topic}:${String(data.alert ?? '')}:${String(data.level ?? '')}:${String(data.state ?? '')}`
}

const SEEN_MAX = 200

export const useAlertsStore = defineStore('alerts', {
  state: () => ({
    counts: null as AlertCounts | null,
    toasts: [] as AlertToast[],
    seen: [] as string[],
    /** Bumped on every alert event: the open inbox reloads when it changes. */
    version: 0,
  }),
  getters: {
    open: (s) => s.counts?.open ?? 0,
    critical: (s) => s.counts?.open_by_severity?.critical ?? 0,
  },
  actions: {
    async refreshCounts(): Promise<void> {
      try {
        this.counts = await api.get<AlertCounts>('/alerts/counts', { timeoutMs: 6000 })
      } catch {
        /* offline or no permission: keep the last counts */
      }
    },
    /** One live event. Returns the toast shown, if any. */
    receive(topic: string, data: Record<string, unknown>, id?: number | string, roles: readonly string[] = []): AlertToast | null {
      if (!forRoles(data, roles)) return null
      const key = eventKey(topic, data, id)
      if (this.seen.includes(key)) return null
      this.seen.push(key)
      if (this.seen.length > SEEN_MAX) this.seen.splice(0, this.seen.length - SEEN_MAX)
      this.version++
      void this.refreshCounts()
      const toast = toastOf(topic, data, key)
      if (!toast) {
        // Resolved / acknowledged elsewhere: its toast goes.
        const alert = Number(data.alert)
        this.toasts = this.toasts.filter((x) => x.alert !== alert)
        return null
      }
      // Newest first; a sweep may raise many at once: the toast shows the newest and how many more.
      this.toasts = [toast, ...this.toasts.filter((x) => x.alert !== toast.alert)].slice(0, 50)
      notify(toast)
      return toast
    },
    dismiss(key: string): void {
      this.toasts = this.toasts.filter((x) => x.key !== key)
    },
    dismissAll(): void {
      this.toasts = []
    },
    reset(): void {
      this.counts = null
      this.toasts = []
      this.seen = []
    },
  },
})

/** A system notification when the user allowed them (same tag as the Web Push one, so the two
 *  never stack for the same alert). */
function notify(toast: AlertToast): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return
  const options: NotificationOptions = { body: toast.titleEn, tag: `alert-${toast.alert}`, data: { alert: toast.alert, url: `/alerts/${toast.alert}` }, icon: '/icons/icon-192.png' }
  const fallback = () => {
    try {
      new Notification(toast.title, options)
    } catch {
      /* Android Chrome allows notifications only from the service worker */
    }
  }
  if ('serviceWorker' in navigator && navigator.serviceWorker.controller)
    void navigator.serviceWorker.ready.then((reg) => reg.showNotification(toast.title, options)).catch(fallback)
  else fallback()
}
