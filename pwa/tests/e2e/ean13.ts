/** Test helper: an EAN-13 barcode drawn into a Y4M video, for Chromium's fake camera. */
import { writeFileSync } from 'node:fs'

const L = ['0001101', '0011001', '0010011', '0111101', '0100011', '0110001', '0101111', '0111011', '0110111', '0001011']
const R = L.map((p) => [...p].map((b) => (b === '0' ? '1' : '0')).join(''))
const G = R.map((p) => [...p].reverse().join(''))
const PARITY = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLG', 'LGLGLG', 'LGLGGL', 'LGGLGL']

export function ean13Modules(code: string): string {
  if (!/^\d{13}$/.test(code)) throw new Error('EAN-13 needs 13 digits')
  const d = [...code].map(Number)
  const parity = PARITY[d[0]!]!
  let bits = '101'
  for (let i = 1; i <= 6; i++) bits += (parity[i - 1] === 'L' ? L : G)[d[i]!]
  bits += '01010'
  for (let i = 7; i <= 12; i++) bits += R[d[i]!]
  return bits + '101'
}

/** Write a few identical 640×480 frames (4:2:0) showing the barcode, black on white. */
export function writeEan13Y4m(path: string, code: string, frames = 5): void {
  const W = 640
  const H = 480
  const module = 5
  const bits = ean13Modules(code)
  const x0 = Math.floor((W - bits.length * module) / 2)
  const y = Buffer.alloc(W * H, 235)
  for (let row = 90; row < 390; row++) {
    for (let i = 0; i < bits.length; i++) {
      if (bits[i] !== '1') continue
      y.fill(16, row * W + x0 + i * module, row * W + x0 + (i + 1) * module)
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2), 128)
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`)]
  for (let f = 0; f < frames; f++) parts.push(Buffer.from('FRAME\n'), y, chroma, chroma)
  writeFileSync(path, Buffer.concat(parts))
}
