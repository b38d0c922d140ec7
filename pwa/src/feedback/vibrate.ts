/** Vibration patterns (ms on/off) matching the three feedback sounds, felt through gloves. */
import type { FeedbackKind } from './sound'

export const VIBRATION: Record<FeedbackKind, number[]> = {
  success: [60],
  warning: [150, 100, 150],
  refusal: [400, 120, 400],
}

export function vibrate(kind: FeedbackKind): void {
  try {
    if (typeof navigator !== 'undefined' && typeof navigator.vibrate === 'function') navigator.vibrate(VIBRATION[kind])
  } catch {
    /* some browsers throw without a user gesture */
  }
}
