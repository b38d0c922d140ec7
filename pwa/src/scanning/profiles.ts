/** Scanner profiles for the keyboard wedge, chosen per device and remembered on it. */
import { DEFAULT_PROFILE, type WedgeProfile } from './wedge'

/**
 * The same names as the server's profiles (backend/scanning/profiles.py), so the scan log says
 * how the device is set up. The PWA already removes the terminator and restores GS; the server
 * applying the named profile again changes nothing.
 */
export const PROFILES: WedgeProfile[] = [
  DEFAULT_PROFILE,
  { ...DEFAULT_PROFILE, name: 'tab', terminator: 'Tab' },
  // Scanners that cannot type GS are set to send a stand-in that never occurs in the data.
  { ...DEFAULT_PROFILE, name: 'tilde-gs', gsStandIn: '~' },
  { ...DEFAULT_PROFILE, name: 'caret-gs', gsStandIn: '^]' },
  { ...DEFAULT_PROFILE, name: 'angle-gs', gsStandIn: '<GS>' },
  { ...DEFAULT_PROFILE, name: 'brace-gs', gsStandIn: '{GS}' },
  { ...DEFAULT_PROFILE, name: 'no-terminator', serverName: 'default', terminator: 'none' },
]

const STORAGE_KEY = 'lotwise.scanProfile'

export function loadProfile(): WedgeProfile {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (raw) {
      const saved = JSON.parse(raw) as Partial<WedgeProfile>
      // A known name takes the current definition; anything else is kept as saved.
      const known = PROFILES.find((p) => p.name === saved.name)
      return known ?? { ...DEFAULT_PROFILE, ...saved }
    }
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
