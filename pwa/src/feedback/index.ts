/** One call for all scan feedback: sound + vibration (the banner is driven by the scan store). */
import { playTone, type FeedbackKind } from './sound'
import { vibrate } from './vibrate'

export type { FeedbackKind } from './sound'
export { unlockAudio, setSoundEnabled } from './sound'

export function signal(kind: FeedbackKind): void {
  playTone(kind)
  vibrate(kind)
}
