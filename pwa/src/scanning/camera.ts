/**
 * Camera scanning: the browser's own BarcodeDetector where it exists and knows the formats,
 * otherwise the zxing-wasm based `barcode-detector` ponyfill. Its wasm is bundled by Vite and
 * served by us (locateFile is overridden), never fetched from a CDN.
 *
 * Note for the server: camera scans carry no AIM symbology identifier; a GS1 element string
 * arrives without its leading FNC1 and with GS (U+001D) between variable-length fields.
 */
// `?url` makes Vite copy the wasm into dist/assets and give us its hashed URL.
import zxingWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url'

export const CAMERA_FORMATS = ['data_matrix', 'qr_code', 'code_128', 'ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_39', 'itf', 'pdf417', 'aztec'] as const

export interface Detected {
  rawValue: string
  format: string
}

interface Detector {
  detect(source: HTMLVideoElement | ImageBitmap | HTMLCanvasElement): Promise<Detected[]>
}

interface NativeDetectorCtor {
  new (options?: { formats?: string[] }): Detector
  getSupportedFormats(): Promise<string[]>
}

export function wasmUrl(): string {
  return zxingWasmUrl
}

let detectorPromise: Promise<Detector> | null = null

export function getDetector(): Promise<Detector> {
  if (!detectorPromise) {
    detectorPromise = (async () => {
      const Native = (globalThis as { BarcodeDetector?: NativeDetectorCtor }).BarcodeDetector
      if (Native) {
        try {
          const supported = await Native.getSupportedFormats()
          const formats = CAMERA_FORMATS.filter((f) => supported.includes(f))
          if (formats.includes('data_matrix') && formats.includes('code_128')) return new Native({ formats })
        } catch {
          /* fall through to the ponyfill */
        }
      }
      const mod = await import('barcode-detector/ponyfill')
      mod.prepareZXingModule({
        overrides: {
          locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? zxingWasmUrl : prefix + path),
        },
        fireImmediately: true,
      })
      return new mod.BarcodeDetector({ formats: [...CAMERA_FORMATS] }) as unknown as Detector
    })()
    detectorPromise.catch(() => {
      detectorPromise = null
    })
  }
  return detectorPromise
}

export interface CameraSession {
  stop(): void
}

/**
 * Open the back camera into `video` and call `onCode` for each new code. The same code is not
 * reported again within `repeatMs` (the camera sees it in every frame).
 */
export async function startCamera(video: HTMLVideoElement, onCode: (d: Detected) => void, options: { intervalMs?: number; repeatMs?: number } = {}): Promise<CameraSession> {
  const interval = options.intervalMs ?? 150
  const repeatMs = options.repeatMs ?? 2500
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
    audio: false,
  })
  video.srcObject = stream
  video.setAttribute('playsinline', 'true')
  video.muted = true
  await video.play()
  const detector = await getDetector()

  let stopped = false
  let last = ''
  let lastAt = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const loop = async () => {
    if (stopped) return
    if (video.readyState >= 2) {
      try {
        const codes = await detector.detect(video)
        const first = codes[0]
        if (first && first.rawValue) {
          const now = performance.now()
          if (first.rawValue !== last || now - lastAt > repeatMs) {
            last = first.rawValue
            lastAt = now
            onCode({ rawValue: first.rawValue, format: String(first.format) })
          } else lastAt = now
        }
      } catch {
        /* a bad frame: try the next one */
      }
    }
    timer = setTimeout(() => void loop(), interval)
  }
  void loop()

  return {
    stop() {
      stopped = true
      clearTimeout(timer)
      for (const track of stream.getTracks()) track.stop()
      video.srcObject = null
    },
  }
}
