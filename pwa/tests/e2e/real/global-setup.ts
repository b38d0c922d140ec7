/** Playwright globalSetup: start the real server for the journeys (unless LOTWISE_E2E_SERVER
 *  points at one already) and stop it by its process id when the run ends. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer } from './server'

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.LOTWISE_E2E_SERVER) return async () => undefined
  const started = Date.now()
  const server = await startServer()
  process.env.LOTWISE_E2E_SERVER = server.url
  writeFileSync(join(server.dir, 'pid'), String(server.pid))
  console.log(`real server ${server.url} (pid ${server.pid}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return () => server.stop()
}
