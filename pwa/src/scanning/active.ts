/** The keyboard wedge of this device: started once, its profile switchable at run time. */
import { ref } from 'vue'
import { attachWedge, type WedgeHandle, type WedgeProfile } from './wedge'
import { loadProfile, saveProfile } from './profiles'
import { dispatchScan } from './bus'

export const activeProfile = ref<WedgeProfile>(loadProfile())
let handle: WedgeHandle | null = null

export function startWedge(): void {
  if (handle) return
  handle = attachWedge((raw) => dispatchScan({ raw, source: 'wedge', profile: activeProfile.value.serverName ?? activeProfile.value.name }), activeProfile.value)
}

export function useProfile(profile: WedgeProfile): void {
  activeProfile.value = { ...profile }
  saveProfile(profile)
  handle?.setProfile(profile)
}

const CONTROL_NAMES: Record<number, string> = { 0x04: 'EOT', 0x09: 'TAB', 0x0a: 'LF', 0x0d: 'CR', 0x1c: 'FS', 0x1d: 'GS', 0x1e: 'RS', 0x1f: 'US', 0x20: 'SP' }

export interface RawSegment {
  text: string
  /** Set for a control character or space: its short name (GS, RS, SP…). */
  control?: string
}

/** Split a scan into text and named control characters, for people setting up a scanner. */
export function segments(raw: string): RawSegment[] {
  const out: RawSegment[] = []
  let text = ''
  for (const ch of raw) {
    const code = ch.codePointAt(0)!
    if (code <= 0x20 || code === 0x7f) {
      if (text) out.push({ text })
      text = ''
      out.push({ text: ch, control: CONTROL_NAMES[code] ?? `0x${code.toString(16).padStart(2, '0').toUpperCase()}` })
    } else text += ch
  }
  if (text) out.push({ text })
  return out
}
