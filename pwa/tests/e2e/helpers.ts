/** Shared helpers for the browser tests. */
import type { Page } from '@playwright/test'

/**
 * A scanner burst as a wedge sends it: keydowns a few milliseconds apart, then Enter. Fired
 * inside the page so the timing does not depend on how busy the test machine is.
 */
/** Returns the ms from the Enter keydown until the "reading" banner is on screen (if waitForBanner). */
export async function wedgeBurst(page: Page, text: string, gapMs = 3, waitForBanner = true): Promise<number> {
  return page.evaluate(
    async ({ text, gapMs, waitForBanner }) => {
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
      const target = document.activeElement ?? document.body
      for (const key of text) {
        target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
        if (gapMs) await sleep(gapMs)
      }
      // Enter ends the scan: measure how long until the banner is on screen.
      const t0 = performance.now()
      target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
      while (waitForBanner && !document.querySelector('[data-testid="scan-banner"][data-state="reading"]') && performance.now() - t0 < 2000) {
        await new Promise((r) => requestAnimationFrame(r))
      }
      return performance.now() - t0
    },
    { text, gapMs, waitForBanner },
  )
}
