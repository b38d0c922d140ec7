/** Live events for screens: main.ts forwards every /ws event here; a screen listens while mounted. */
import { onBeforeUnmount, onMounted } from 'vue'

const bus = new EventTarget()

export function publishLive(topic: string, data: Record<string, unknown>): void {
  bus.dispatchEvent(new CustomEvent(topic, { detail: data }))
}

export function useLive(topic: string, listener: (data: Record<string, unknown>) => void): void {
  const handler = (e: Event) => listener((e as CustomEvent<Record<string, unknown>>).detail)
  onMounted(() => bus.addEventListener(topic, handler))
  onBeforeUnmount(() => bus.removeEventListener(topic, handler))
}
