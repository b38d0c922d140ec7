/** Scanner profiles for the keyboard wedge, chosen per device and remembered on it. */
import { DEFAULT_PROFILE, type WedgeProfile } from './wedge'

export const PROFILES: WedgeProfile[] = [
  DEFAULT_PROFILE,
  { ...DEFAULT_PROFILE, name: 'wedge-tab', terminator: 'Tab' },
  // Scanners that cannot type GS are set to send '~' instead (not in CSET 82, HIBC or MA sets).
  { ...DEFAULT_PROFILE, name: 'wedge-tilde-gs', gsStandIn: '~' },
  { ...DEFAULT_PROFILE, name: 'wedge-caret-gs', gsStandIn: '^' },
  { ...DEFAULT_PROFILE, name: 'wedge-no-terminator', terminator: 'none' },
]

const STORAGE_KEY = 'lotwise.scanProfile'

export function loadProfile(): WedgeProfile {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (raw) return { ...DEFAULT_PROFILE, ...(JSON.parse(raw) as Partial<WedgeProfile>) }
  } catch {
    /* default */
  }
  return DEFAULT_PROFILE
}

export function saveProfile(profile: WedgeProfile): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(profile))
  } catch {
    /* not fatal */
  }
}
