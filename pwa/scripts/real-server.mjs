// A REAL Lotwise server for browser tests, screenshots and benches: a throw-away SQLite database
// under a temp dir, `lotwise migrate` and `lotwise demo` run from the repo root (DATABASE_URL
// set), then `lotwise serve --port <free port>` with LOTWISE_PWA_DIST=pwa/dist. `stop()` ends it
// by its process id (its own process group: uv and the server together).
//
// The demo database is built once and copied per run (kept under the temp dir, keyed by the
// migrations and demo sources and today's date), since building it is most of the start-up time.
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PWA = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const REPO = resolve(PWA, '..')

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', rej)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => res(port))
    })
  })
}

/** @param {string[]} args @param {NodeJS.ProcessEnv} env */
function run(args, env) {
  const r = spawnSync('uv', ['run', '--frozen', 'lotwise', ...args], { cwd: REPO, env, encoding: 'utf8' })
  if (r.error) throw new Error(`lotwise ${args.join(' ')} could not start uv (is it on PATH?): ${r.error.message}`)
  if (r.status !== 0) throw new Error(`lotwise ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`)
}

function fingerprint() {
  const h = createHash('sha256')
  for (const dir of ['migrations', 'backend/demo']) {
    const full = join(REPO, dir)
    if (!existsSync(full)) continue
    for (const f of readdirSync(full).sort()) {
      const st = statSync(join(full, f))
      if (st.isFile()) h.update(`${dir}/${f}:${st.size}:${st.mtimeMs}\n`)
    }
  }
  h.update(new Date().toISOString().slice(0, 10)) // the demo is built relative to today
  return h.digest('hex').slice(0, 16)
}

/**
 * @param {{ fresh?: boolean }} [options]
 * @returns {Promise<{ url: string, pid: number, dir: string, stop: () => Promise<void> }>}
 */
export async function startServer(options = {}) {
  const dist = join(PWA, 'dist')
  if (!existsSync(join(dist, 'index.html'))) throw new Error('pwa/dist is missing: run `npm run build` first')
  const dir = mkdtempSync(join(tmpdir(), 'lotwise-e2e-'))
  const db = join(dir, 'lotwise.db')
  const cacheDir = join(tmpdir(), 'lotwise-e2e-template')
  const template = join(cacheDir, `demo-${fingerprint()}.db`)
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, DATABASE_URL: `sqlite:///${db}`, LOTWISE_PWA_DIST: dist, PYTHONUNBUFFERED: '1' }
  delete env.REDIS_URL
  if (!options.fresh && existsSync(template)) {
    copyFileSync(template, db)
    run(['migrate'], env) // nothing to do unless a migration was added since
  } else {
    run(['migrate'], env)
    run(['demo'], env)
    mkdirSync(cacheDir, { recursive: true })
    copyFileSync(db, template)
  }
  const port = await freePort()
  const child = spawn('uv', ['run', '--frozen', 'lotwise', 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: REPO,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let log = ''
  child.stderr?.on('data', (b) => {
    log = (log + b.toString()).slice(-4000)
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`lotwise serve exited (${child.exitCode}):\n${log}`)
    try {
      const r = await fetch(`${url}/health`)
      if (r.ok) break
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`lotwise serve did not answer on ${url}:\n${log}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  const pid = /** @type {number} */ (child.pid)
  const gone = () => child.exitCode !== null || child.signalCode !== null
  return {
    url,
    pid,
    dir,
    async stop() {
      try {
        process.kill(-pid, 'SIGTERM')
      } catch {
        /* already gone */
      }
      const until = Date.now() + 5000
      while (!gone() && Date.now() < until) await new Promise((r) => setTimeout(r, 100))
      if (!gone()) {
        try {
          process.kill(-pid, 'SIGKILL')
        } catch {
          /* gone */
        }
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
