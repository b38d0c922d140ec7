/** Composition root of the PWA: plugins, session ↔ API wiring, scan sources, live events, SW. */
import { createApp, watch } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { configureApi } from './api'
import { connectLive, type LiveSocket } from './api/ws'
import { publishLive } from './api/live'
import { useSessionStore } from './stores/session'
import { useScanStore } from './stores/scan'
import { useOfflineStore } from './stores/offline'
import { ALERT_TOPICS, useAlertsStore } from './stores/alerts'
import { startWedge } from './scanning/active'
import { dispatchScan, setDefaultScanHandler } from './scanning/bus'
import { unlockAudio } from './feedback'
import './styles.css'

const app = createApp(App)
app.use(createPinia()).use(i18n).use(router)

const session = useSessionStore()
const scan = useScanStore()
const offline = useOfflineStore()
const alerts = useAlertsStore()

// Session expiry: back to sign-in, remembering where we were. The outbox is left alone and
// replays after the same user signs in again.
function sessionExpired(): void {
  const here = router.currentRoute.value
  // Before the first navigation has finished (a 401 right at start-up) the router still says
  // "/": the address bar knows where the user was.
  const path = here.matched.length ? here.fullPath : window.location.pathname + window.location.search
  session.expire()
  if (here.name !== 'signin' && !path.startsWith('/signin')) void router.replace({ name: 'signin', query: { expired: '1', redirect: path } })
}

configureApi({ getToken: () => session.token, onUnauthorized: sessionExpired })

// Scans: keyboard wedge, device-bridge station (WebSocket), camera and manual entry all go
// through dispatchScan; the default answer is a lookup with banner feedback.
setDefaultScanHandler((event) => {
  if (session.signedIn) void scan.lookup(event)
})
startWedge()

let live: LiveSocket | null = null
watch(
  () => session.token,
  (token) => {
    live?.close()
    live = null
    if (!token) return alerts.reset()
    live = connectLive(token, { onUnauthorized: sessionExpired })
    // Alerts: toast + system notification for raised/escalated, badge counts on every change.
    for (const topic of ALERT_TOPICS) live.on(topic, (data, event) => void alerts.receive(topic, data, event.id, session.user?.roles ?? []))
    void alerts.refreshCounts()
    live.on('*', (data, event) => publishLive(event.topic, data))
    live.on('station.scan', (data) => {
      // The bridge has already removed the terminator and restored GS; its profile name is passed
      // on for the scan log.
      if (typeof data.raw === 'string')
        dispatchScan({
          raw: data.raw,
          source: 'station',
          profile: typeof data.profile === 'string' ? data.profile : undefined,
          station: typeof data.station === 'string' ? data.station : undefined,
        })
    })
    void offline.sync()
  },
  { immediate: true },
)

// Browsers keep audio muted until the first gesture. Creating the AudioContext takes tens of
// milliseconds: done after the event, or the first scan's first keystroke would stand apart from
// the rest of the burst and be taken for typing (user activation is sticky, so resume() still works).
for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, () => setTimeout(unlockAudio, 0), { once: true, capture: true })

void session.refresh()
void offline.init().then(() => offline.sync())

app.mount('#app')

// Service worker: ask before switching versions, so nobody loses a half-filled screen.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  void import('virtual:pwa-register').then(({ registerSW }) => {
    const update = registerSW({
      onNeedRefresh() {
        void import('./swPrompt').then((m) => m.promptUpdate(() => void update(true)))
      },
    })
  })
}
