#!/usr/bin/env node
// Generates the PWA icons (PNG + SVG) into public/ from one small vector description.
// Pure Node (zlib for PNG), no image libraries: run `node scripts/gen-icons.mjs` after a change.
import { deflateSync } from 'node:zlib'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'public')
const BG = [0x0b, 0x3d, 0x4f]
const FG = [0xff, 0xff, 0xff]
const ACCENT = [0xff, 0xb0, 0x00]

// Shapes on a 512 × 512 canvas: the barcode bars and the amber "expiry" rule.
const BARS = [
  [136, 22], [170, 10], [192, 30], [234, 12], [258, 10], [280, 28], [320, 12], [344, 32],
].map(([x, w]) => ({ x, y: 140, w, h: 190, c: FG }))
const SHAPES = [...BARS, { x: 136, y: 360, w: 240, h: 26, c: ACCENT, r: 13 }]

function inRoundRect(px, py, x, y, w, h, r) {
  if (px < x || py < y || px >= x + w || py >= y + h) return false
  const cx = Math.min(Math.max(px, x + r), x + w - r)
  const cy = Math.min(Math.max(py, y + r), y + h - r)
  return (px - cx) ** 2 + (py - cy) ** 2 <= r * r
}

/** scale: content scale around the centre (maskable icons keep content in the safe zone). */
function render(size, { rounded, scale }) {
  const ss = 4
  const k = 512 / size
  const px = Buffer.alloc(size * size * 4)
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let r = 0, g = 0, b = 0, a = 0
      for (let sj = 0; sj < ss; sj++) {
        for (let si = 0; si < ss; si++) {
          const X = (i + (si + 0.5) / ss) * k
          const Y = (j + (sj + 0.5) / ss) * k
          const inBg = rounded ? inRoundRect(X, Y, 0, 0, 512, 512, 104) : true
          if (!inBg) continue
          // Map to content space (shrink towards the centre).
          const cx = (X - 256) / scale + 256
          const cy = (Y - 256) / scale + 256
          let col = BG
          for (const s of SHAPES) if (inRoundRect(cx, cy, s.x, s.y, s.w, s.h, s.r ?? 0)) col = s.c
          r += col[0]; g += col[1]; b += col[2]; a += 255
        }
      }
      const n = ss * ss
      const o = (j * size + i) * 4
      // Premultiplied sums → straight alpha.
      const alpha = a / n
      px[o] = alpha ? Math.round((r / n) * (255 / alpha)) : 0
      px[o + 1] = alpha ? Math.round((g / n) * (255 / alpha)) : 0
      px[o + 2] = alpha ? Math.round((b / n) * (255 / alpha)) : 0
      px[o + 3] = Math.round(alpha)
    }
  }
  return encodePng(size, size, px)
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
function encodePng(w, h, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 6
  const raw = Buffer.alloc((w * 4 + 1) * h)
  for (let y = 0; y < h; y++) {
    raw[y * (w * 4 + 1)] = 0
    rgba.copy(raw, y * (w * 4 + 1) + 1, y * w * 4, (y + 1) * w * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function svg({ rounded }) {
  const hex = (c) => '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('')
  const shapes = SHAPES.map((s) => `<rect x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}"${s.r ? ` rx="${s.r}"` : ''} fill="${hex(s.c)}"/>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512"${rounded ? ' rx="104"' : ''} fill="${hex(BG)}"/>${shapes}</svg>\n`
}

mkdirSync(join(root, 'icons'), { recursive: true })
writeFileSync(join(root, 'icons', 'icon-192.png'), render(192, { rounded: true, scale: 1 }))
writeFileSync(join(root, 'icons', 'icon-512.png'), render(512, { rounded: true, scale: 1 }))
writeFileSync(join(root, 'icons', 'icon-maskable-512.png'), render(512, { rounded: false, scale: 0.8 }))
writeFileSync(join(root, 'icons', 'apple-touch-icon.png'), render(180, { rounded: false, scale: 0.9 }))
writeFileSync(join(root, 'icons', 'icon.svg'), svg({ rounded: true }))
writeFileSync(join(root, 'favicon.svg'), svg({ rounded: true }))
console.log('icons written to', root)
