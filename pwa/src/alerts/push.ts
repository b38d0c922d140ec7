/**
 * Web Push: ask for permission, subscribe the service worker with the server's VAPID key
 * (GET /push/key) and register the subscription (POST /push/subscriptions). Loaded only from
 * the alerts inbox and at sign-out.
 */
import { api } from '@/api'

const KEY = 'lotwise.push'

export function pushSupported(): boolean {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && typeof Notification !== 'undefined'
}

export function urlBase64ToBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const pad = '='.repeat((4 - (base64url.length % 4)) % 4)
  const raw = atob((base64url + pad).replace(/-/g, '+').replace(/_/g, '/'))
  const out = new Uint8Array(new ArrayBuffer(raw.length))
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i)
  return out
}

export type PushState = 'unsupported' | 'denied' | 'off' | 'on'

export function pushState(): PushState {
  if (!pushSupported()) return 'unsupported'
  if (Notification.permission === 'denied') return 'denied'
  return Notification.permission === 'granted' && localStorage.getItem(KEY) ? 'on' : 'off'
}

/** Permission, subscription, registration with the server. Notifications in the app work with
 *  the permission alone, so a failing push service still leaves them on. */
export async function enablePush(device = navigator.userAgent.slice(0, 60)): Promise<PushState> {
  if (typeof Notification === 'undefined') return 'unsupported'
  const permission = await Notification.requestPermission()
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off'
  if (!pushSupported()) return 'unsupported'
  const reg = await navigator.serviceWorker.ready
  const { public_key } = await api.get<{ public_key: string }>('/push/key')
  const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToBytes(public_key) }))
  const json = sub.toJSON() as { endpoint: string; keys?: { p256dh?: string; auth?: string } }
  const saved = await api.post<{ id: number }>('/push/subscriptions', { endpoint: json.endpoint, keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' }, device })
  localStorage.setItem(KEY, String(saved.id))
  return 'on'
}

/** At sign-out: the next user of a shared handheld must not get this user's alerts. */
export async function disablePush(): Promise<void> {
  const id = localStorage.getItem(KEY)
  if (!id) return
  localStorage.removeItem(KEY)
  try {
    await api.request('DELETE', `/push/subscriptions/${id}`, { timeoutMs: 4000 })
    const reg = await navigator.serviceWorker?.getRegistration()
    await (await reg?.pushManager.getSubscription())?.unsubscribe()
  } catch {
    /* the server drops dead subscriptions itself (404/410 from the push service) */
  }
}
