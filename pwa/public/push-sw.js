/* Web Push for Lotwise alerts, imported by the generated service worker (workbox importScripts).
 * The server's message: {title, body, tag, severity, topic, data: {alert, url}}. */
self.addEventListener('push', (event) => {
  let msg = {}
  try {
    msg = event.data ? event.data.json() : {}
  } catch (e) {
    msg = { title: event.data ? event.data.text() : 'Lotwise' }
  }
  const data = msg.data || {}
  const title = msg.title || 'Lotwise 预警'
  event.waitUntil(
    self.registration.showNotification(title, {
      body: msg.body || '',
      tag: msg.tag || (data.alert ? 'alert-' + data.alert : undefined),
      renotify: msg.topic === 'alert.escalated',
      requireInteraction: msg.severity === 'critical',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: data.url || (data.alert ? '/alerts/' + data.alert : '/alerts'), alert: data.alert },
    }),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = (event.notification.data && event.notification.data.url) || '/alerts'
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      for (const c of list) {
        if ('focus' in c) {
          c.navigate && c.url.indexOf(url) < 0 ? c.navigate(url) : undefined
          return c.focus()
        }
      }
      return self.clients.openWindow(url)
    }),
  )
})
