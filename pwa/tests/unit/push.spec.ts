import { describe, expect, it } from 'vitest'
import { urlBase64ToBytes } from '@/alerts/push'

describe('web push key', () => {
  it('decodes the server VAPID key (base64url, no padding) to the bytes PushManager wants', () => {
    expect(Array.from(urlBase64ToBytes('AQID_-8'))).toEqual([1, 2, 3, 255, 239])
    const key = 'B' + 'A'.repeat(86) // a 65-byte uncompressed P-256 point is 87 base64url chars
    expect(urlBase64ToBytes(key)).toHaveLength(65)
  })
})
