/** Synthesised feedback tones (WebAudio): no audio files, distinct by pitch, rhythm and timbre. */
export type FeedbackKind = 'success' | 'warning' | 'refusal'

interface Tone {
  freq: number
  /** Optional glide target. */
  to?: number
  start: number
  dur: number
  type: OscillatorType
  gain: number
}

/** Pure description of each sound, so the patterns can be read (and tested) without audio. */
export const TONES: Record<FeedbackKind, Tone[]> = {
  // Two short rising beeps: "got it".
  success: [
    { freq: 1320, start: 0, dur: 0.07, type: 'sine', gain: 0.35 },
    { freq: 1760, start: 0.09, dur: 0.09, type: 'sine', gain: 0.35 },
  ],
  // Three even mid beeps: "look at the screen".
  warning: [
    { freq: 880, start: 0, dur: 0.12, type: 'triangle', gain: 0.45 },
    { freq: 880, start: 0.18, dur: 0.12, type: 'triangle', gain: 0.45 },
    { freq: 880, start: 0.36, dur: 0.12, type: 'triangle', gain: 0.45 },
  ],
  // Long falling buzz: "stop".
  refusal: [
    { freq: 330, to: 160, start: 0, dur: 0.45, type: 'sawtooth', gain: 0.4 },
    { freq: 220, to: 110, start: 0.5, dur: 0.35, type: 'sawtooth', gain: 0.4 },
  ],
}

let ctx: AudioContext | null = null
let enabled = true

export function setSoundEnabled(value: boolean): void {
  enabled = value
}

function audio(): AudioContext | null {
  if (ctx) return ctx
  const Ctor = (globalThis as { AudioContext?: typeof AudioContext; webkitAudioContext?: typeof AudioContext }).AudioContext ??
    (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
  if (!Ctor) return null
  try {
    ctx = new Ctor()
  } catch {
    return null
  }
  return ctx
}

/** Browsers start audio suspended until a user gesture: call this from the first tap/key. */
export function unlockAudio(): void {
  const c = audio()
  if (c && c.state === 'suspended') void c.resume().catch(() => {})
}

export function playTone(kind: FeedbackKind): void {
  if (!enabled) return
  const c = audio()
  if (!c) return
  if (c.state === 'suspended') void c.resume().catch(() => {})
  const t0 = c.currentTime + 0.01
  for (const tone of TONES[kind]) {
    const osc = c.createOscillator()
    const gain = c.createGain()
    osc.type = tone.type
    osc.frequency.setValueAtTime(tone.freq, t0 + tone.start)
    if (tone.to) osc.frequency.exponentialRampToValueAtTime(tone.to, t0 + tone.start + tone.dur)
    // Short attack and release: no clicks.
    gain.gain.setValueAtTime(0.0001, t0 + tone.start)
    gain.gain.exponentialRampToValueAtTime(tone.gain, t0 + tone.start + 0.01)
    gain.gain.setValueAtTime(tone.gain, t0 + tone.start + tone.dur - 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + tone.start + tone.dur)
    osc.connect(gain).connect(c.destination)
    osc.start(t0 + tone.start)
    osc.stop(t0 + tone.start + tone.dur + 0.02)
  }
}
