/**
 * Every scan — keyboard wedge, camera, device-bridge station, typed by hand — goes through
 * `dispatchScan`. The screen on top may claim scans with `useScanHandler`; otherwise the default
 * handler (a lookup with banner feedback) answers.
 */
export type ScanSource = 'wedge' | 'camera' | 'station' | 'manual'

export interface ScanEvent {
  /** Exactly as scanned, GS restored as U+001D. */
  raw: string
  source: ScanSource
  /** Server scanner-profile name (see backend/scanning/profiles.py); none for camera and typed scans. */
  profile?: string
  /** Device-bridge station id, for station scans. */
  station?: string
  /** performance.now() when the scan was read: the 100 ms feedback budget starts here. */
  at: number
}

export type ScanHandler = (event: ScanEvent) => void

const stack: ScanHandler[] = []
let fallback: ScanHandler = () => {}

export function setDefaultScanHandler(handler: ScanHandler): void {
  fallback = handler
}

/** Claim scans until the returned function is called (a screen calls it on unmount). */
export function pushScanHandler(handler: ScanHandler): () => void {
  stack.push(handler)
  return () => {
    const i = stack.lastIndexOf(handler)
    if (i >= 0) stack.splice(i, 1)
  }
}

export function dispatchScan(event: Omit<ScanEvent, 'at'> & { at?: number }): void {
  const full: ScanEvent = { ...event, at: event.at ?? performance.now() }
  const handler = stack[stack.length - 1] ?? fallback
  handler(full)
}
