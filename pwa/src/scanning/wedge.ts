/**
 * Keyboard-wedge scanner capture: tells a scanner's keystroke burst from a person typing.
 *
 * `WedgeDetector` is pure (keystrokes with timestamps in, decisions out) so it is unit-tested
 * without a DOM; `attachWedge` wires it to `document` keydown events.
 *
 * Rules (see shared/reference/standards.md, "How keyboard-wedge scanners actually send GS"):
 * - only the configured terminator is removed; the data is never trimmed (an HIBC check
 *   character may be a space, and GS counts as whitespace to most trim functions);
 * - GS (U+001D) may arrive as the character itself, as Ctrl+] (its ASCII control chord), or as
 *   a profile's stand-in text (`~`, `^`, `<GS>`, `{GS}`…), which is mapped back to U+001D.
 */

export type Terminator = 'Enter' | 'Tab' | 'none'

export interface WedgeProfile {
  /** This device's profile id; also the server profile name sent with each scan (see serverName). */
  name: string
  /** Server profile name when it differs from `name` (backend/scanning/profiles.py). */
  serverName?: string
  /** Key that ends a scan; 'none' ends it after `endIdleMs` of silence. */
  terminator: Terminator
  /** Text the scanner sends instead of GS; null when it sends the real character. */
  gsStandIn: string | null
  /** Largest gap between two keystrokes of one scan. Scanners: 1–20 ms; people: 80 ms and up. */
  maxGapMs: number
  /** Shorter bursts are treated as typing (a fast typist can hit two or three keys quickly). */
  minLength: number
  /** With terminator 'none': silence that ends a scan. */
  endIdleMs: number
}

export const DEFAULT_PROFILE: WedgeProfile = {
  name: 'default',
  terminator: 'Enter',
  gsStandIn: null,
  maxGapMs: 35,
  minLength: 6,
  endIdleMs: 80,
}

export const GS = '\u001d'

/** The terminator may lag the last character by this many times maxGapMs. */
export const TERMINATOR_GAP_FACTOR = 3

/** One keydown, reduced to what the detector needs. */
export interface KeyInput {
  key: string
  /** Milliseconds, monotonic (event.timeStamp or performance.now()). */
  time: number
  ctrlKey?: boolean
  altKey?: boolean
  metaKey?: boolean
  code?: string
}

export type WedgeDecision =
  /** Not part of a scan, let the keystroke do what it normally does. */
  | { kind: 'pass' }
  /** Part of a probable scan: the DOM layer swallows it (preventDefault). */
  | { kind: 'swallow' }
  /** A complete scan. The terminator keystroke itself should be swallowed. */
  | { kind: 'scan'; raw: string }

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock', 'Unidentified', 'Dead', 'Process'])

/** Map a profile's GS stand-in back to U+001D. Pure; nothing else is touched. */
export function restoreGs(raw: string, standIn: string | null): string {
  if (!standIn) return raw
  return raw.split(standIn).join(GS)
}

/** The character a keydown types, or null for keys that type nothing. */
export function charOf(input: KeyInput): string | null {
  // Ctrl+] is the ASCII control chord for GS (0x1D); several wedge scanners send it that way.
  if (input.ctrlKey && (input.key === ']' || input.code === 'BracketRight' || input.key === GS)) return GS
  if (input.key === GS) return GS
  if (input.ctrlKey || input.metaKey) return null
  if (input.key.length === 1) return input.key
  return null
}

export class WedgeDetector {
  private profile: WedgeProfile
  private buffer: string[] = []
  private lastTime = -Infinity
  /** True once two keystrokes came faster than maxGapMs: we are inside a burst. */
  private bursting = false

  constructor(profile: WedgeProfile = DEFAULT_PROFILE) {
    this.profile = { ...profile }
  }

  setProfile(profile: WedgeProfile): void {
    this.profile = { ...profile }
    this.reset()
  }

  getProfile(): WedgeProfile {
    return { ...this.profile }
  }

  reset(): void {
    this.buffer = []
    this.lastTime = -Infinity
    this.bursting = false
  }

  /** Characters collected so far (for tests and for undoing typed-in text in opt-in inputs). */
  get pending(): string {
    return this.buffer.join('')
  }

  get inBurst(): boolean {
    return this.bursting
  }

  /** Feed one keydown. */
  feed(input: KeyInput): WedgeDecision {
    const p = this.profile
    if (MODIFIERS.has(input.key)) return { kind: this.bursting ? 'swallow' : 'pass' }

    const gap = input.time - this.lastTime
    // Some scanners pause briefly before the terminator: allow it three times the usual gap.
    if (p.terminator !== 'none' && input.key === p.terminator && !input.ctrlKey && !input.altKey) {
      const raw = gap <= p.maxGapMs * TERMINATOR_GAP_FACTOR ? this.takeScan() : null
      this.reset()
      return raw === null ? { kind: 'pass' } : { kind: 'scan', raw }
    }

    if (this.buffer.length > 0 && gap > p.maxGapMs) {
      // Too slow: whatever was collected was typing (or a finished terminator-less scan that
      // tick() should have flushed; flush it now rather than lose it).
      const flushed = p.terminator === 'none' ? this.takeScan() : null
      this.reset()
      if (flushed) {
        const next = this.feed(input)
        return next.kind === 'scan' ? next : { kind: 'scan', raw: flushed }
      }
    }

    const ch = charOf(input)
    if (ch === null) {
      // A non-character key (arrow, F-key, Escape…) inside a burst means it was no scan.
      const wasBursting = this.bursting
      this.reset()
      return { kind: wasBursting ? 'swallow' : 'pass' }
    }

    if (this.buffer.length > 0 && gap <= p.maxGapMs) this.bursting = true
    this.buffer.push(ch)
    this.lastTime = input.time
    return { kind: this.bursting ? 'swallow' : 'pass' }
  }

  /** For terminator 'none': call after silence; returns a scan once the burst has ended. */
  tick(now: number): WedgeDecision {
    if (this.profile.terminator !== 'none' || this.buffer.length === 0) return { kind: 'pass' }
    if (now - this.lastTime < this.profile.endIdleMs) return { kind: 'pass' }
    const raw = this.takeScan()
    this.reset()
    return raw === null ? { kind: 'pass' } : { kind: 'scan', raw }
  }

  private takeScan(): string | null {
    if (!this.bursting || this.buffer.length < this.profile.minLength) return null
    return restoreGs(this.buffer.join(''), this.profile.gsStandIn)
  }
}

// ---------------------------------------------------------------------------------------------
// DOM wiring

/** Inputs that want scans routed to the scan handler carry this attribute. */
export const WEDGE_OPT_IN_ATTR = 'data-wedge'

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'password', 'number', 'tel', 'url', ''])

/** Is the keystroke going into a field where a person types, and that did not opt in? */
export function isPlainTextTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false
  const el = target as HTMLElement
  if (el.closest(`[${WEDGE_OPT_IN_ATTR}]`)) return false
  if (el.isContentEditable) return true
  if (el instanceof HTMLTextAreaElement) return true
  if (el instanceof HTMLInputElement) return TEXT_INPUT_TYPES.has(el.type)
  return false
}

export interface WedgeHandle {
  detector: WedgeDetector
  setProfile(profile: WedgeProfile): void
  detach(): void
}

/**
 * Listen for scans on the whole document. `onScan` receives the raw string with GS restored.
 * In an opted-in input, the characters a burst typed before it was recognised are removed.
 */
export function attachWedge(onScan: (raw: string) => void, profile: WedgeProfile = DEFAULT_PROFILE, doc: Document = document): WedgeHandle {
  const detector = new WedgeDetector(profile)
  let idleTimer: ReturnType<typeof setTimeout> | undefined
  /** Value of the opted-in input before the first keystroke of the current candidate burst. */
  let snapshot: { el: HTMLInputElement | HTMLTextAreaElement; value: string } | null = null

  const restoreInput = () => {
    if (snapshot && snapshot.el.value !== snapshot.value) {
      snapshot.el.value = snapshot.value
      snapshot.el.dispatchEvent(new Event('input', { bubbles: true }))
    }
  }

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.isComposing) return
    if (isPlainTextTarget(event.target)) return
    const target = event.target
    const field = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ? target : null

    const decision = detector.feed({
      key: event.key,
      time: event.timeStamp || performance.now(),
      ctrlKey: event.ctrlKey,
      altKey: event.altKey,
      metaKey: event.metaKey,
      code: event.code,
    })
    if (decision.kind === 'pass') {
      // keydown runs before the character lands, so field.value is still the value before
      // the first keystroke of a possible burst.
      if (detector.pending.length === 1 && field) snapshot = { el: field, value: field.value }
      else if (detector.pending.length === 0) snapshot = null
    } else if (decision.kind === 'swallow') {
      event.preventDefault()
      restoreInput()
    } else {
      event.preventDefault()
      event.stopPropagation()
      restoreInput()
      snapshot = null
      onScan(decision.raw)
    }

    if (detector.getProfile().terminator === 'none') {
      clearTimeout(idleTimer)
      idleTimer = setTimeout(() => {
        const d = detector.tick(performance.now())
        if (d.kind === 'scan') {
          restoreInput()
          onScan(d.raw)
        }
      }, detector.getProfile().endIdleMs + 5)
    }
  }

  doc.addEventListener('keydown', onKeyDown, { capture: true })
  return {
    detector,
    setProfile: (p) => detector.setProfile(p),
    detach: () => {
      clearTimeout(idleTimer)
      doc.removeEventListener('keydown', onKeyDown, { capture: true })
    },
  }
}
