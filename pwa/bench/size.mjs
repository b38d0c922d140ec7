#!/usr/bin/env node
// Prints the gzipped size of the JS + CSS each handheld route loads first (entry chunk graph
// plus the route's own lazy chunk graph), from dist/.vite/manifest.json. Run after `npm run build`.
// Exits 1 when a route exceeds the budget (default 200 KB, env PWA_FIRST_LOAD_BUDGET_KB).
import { readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync, brotliCompressSync } from 'node:zlib'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'))
const budgetKb = Number(process.env.PWA_FIRST_LOAD_BUDGET_KB ?? 200)
const ROUTES = {
  'sign-in': 'src/views/SignIn.vue',
  home: 'src/views/Home.vue',
  lookup: 'src/views/Lookup.vue',
  pending: 'src/views/Pending.vue',
  receive: 'src/views/Receive.vue',
  'qa-release': 'src/views/QaRelease.vue',
  putaway: 'src/views/Putaway.vue',
  pick: 'src/views/Pick.vue',
  transfer: 'src/views/Transfer.vue',
  // lazy routes of the tablet and of the alerts (measured under the same budget)
  alerts: 'src/views/Alerts.vue',
  'ward-request': 'src/views/WardRequest.vue',
  'ward-requisitions': 'src/views/Requisitions.vue',
  'ward-use': 'src/views/WardUse.vue',
  dispatch: 'src/views/Dispatch.vue',
}

/** Files a chunk pulls in without a dynamic import: itself, its CSS, its static imports. */
function closure(key, out = new Set()) {
  const chunk = manifest[key]
  if (!chunk || out.has(chunk.file)) return out
  out.add(chunk.file)
  for (const css of chunk.css ?? []) out.add(css)
  for (const imp of chunk.imports ?? []) closure(imp, out)
  return out
}

const sizes = new Map()
function size(file) {
  if (!sizes.has(file)) {
    const buf = readFileSync(join(dist, file))
    sizes.set(file, { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length, br: brotliCompressSync(buf).length })
  }
  return sizes.get(file)
}

const entry = closure('index.html')
const kb = (n) => (n / 1024).toFixed(1)
let worst = 0
console.log(`first-load JS+CSS per handheld route (gzip -9; budget ${budgetKb} KB)`)
for (const [route, key] of Object.entries(ROUTES)) {
  if (!manifest[key]) {
    console.log(`  ${route.padEnd(8)} (not in manifest: ${key})`)
    continue
  }
  const files = new Set([...entry, ...closure(key)])
  let raw = 0, gz = 0, br = 0
  for (const f of files) if (/\.(js|css)$/.test(f)) {
    const s = size(f)
    raw += s.raw; gz += s.gzip; br += s.br
  }
  worst = Math.max(worst, gz)
  console.log(`  ${route.padEnd(8)} ${kb(gz).padStart(7)} KB gzip  ${kb(br).padStart(7)} KB brotli  ${kb(raw).padStart(8)} KB raw  (${files.size} files)`)
}
console.log(`worst route: ${kb(worst)} KB gzip`)
if (worst > budgetKb * 1024) {
  console.error(`over budget: ${kb(worst)} KB > ${budgetKb} KB`)
  process.exit(1)
}
