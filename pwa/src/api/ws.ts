/** The live event socket (/ws?token=…): reconnects with backoff, hands events out by topic. */
import type { LiveEvent } from './types'

type Listener = (data: Record<string, unknown>, event: LiveEvent) => void

export interface LiveSocket {
  on(topic: string, listener: Listener): () => void
  close(): void
}

export function wsUrl(token: string, loc: Pick<Location, 'protocol' | 'host'> = location): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${proto}//${loc.host}/ws?token=${encodeURIComponent(token)}`
}

/** Parse one message; anything that is not {topic, data} is ignored. */
export function parseEvent(text: unknown): LiveEvent | null {
  if (typeof text !== 'string') return null
  try {
    const v = JSON.parse(text) as unknown
    if (v && typeof v === 'object' && typeof (v as LiveEvent).topic === 'string') {
      const data = (v as LiveEvent).data
      const id = (v as LiveEvent).id
      const event: LiveEvent = { topic: (v as LiveEvent).topic, data: data && typeof data === 'object' ? data : {} }
      if (typeof id === 'number' || typeof id === 'string') event.id = id
      return event
    }
  } catch {
    /* not JSON */
  }
  return null
}

export function connectLive(token: string, options: { onUnauthorized?: () => void } = {}): LiveSocket {
  const listeners = new Map<string, Set<Listener>>()
  let socket: WebSocket | null = null
  let closed = false
  let attempts = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  const open = () => {
    if (closed) return
    socket = new WebSocket(wsUrl(token))
    socket.onopen = () => {
      attempts = 0
    }
    socket.onmessage = (msg) => {
      const event = parseEvent(msg.data)
      if (!event) return
      for (const l of listeners.get(event.topic) ?? []) l(event.data, event)
      for (const l of listeners.get('*') ?? []) l(event.data, event)
    }
    socket.onclose = (ev) => {
      socket = null
      if (closed) return
      // 4401 / 1008: the server refused the token; the REST client will notice the expiry too.
      if (ev.code === 4401 || ev.code === 1008) {
        options.onUnauthorized?.()
        return
      }
      attempts++
      const delay = Math.min(30000, 1000 * 2 ** Math.min(attempts, 5)) * (0.8 + 0.4 * Math.random())
      retryTimer = setTimeout(open, delay)
    }
  }
  open()

  return {
    on(topic, listener) {
      let set = listeners.get(topic)
      if (!set) listeners.set(topic, (set = new Set()))
      set.add(listener)
      return () => set.delete(listener)
    },
    close() {
      closed = true
      clearTimeout(retryTimer)
      socket?.close(1000)
      socket = null
    },
  }
}
