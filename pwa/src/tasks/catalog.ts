/** Master data the task screens show beside every number: products (name and model/spec),
 *  kept in memory and in the read cache so they stay readable offline. Plus role checks. */
import { cachedGet } from '@/api/cached'
import type { Product } from '@/api/types'
import { currentLocale } from '@/i18n'
import { useSessionStore } from '@/stores/session'

const products = new Map<number, Promise<Product | null>>()

export function getProduct(id: number): Promise<Product | null> {
  let p = products.get(id)
  if (!p) {
    p = cachedGet<Product>(`/products/${id}`)
      .then((r) => r.data)
      .catch(() => {
        products.delete(id)
        return null
      })
    products.set(id, p)
  }
  return p
}

/** "Name model" in the user's language (DOMAIN.md: model/spec beside every product name). */
export function nameOf(p: { name?: string; name_en?: string | null; model?: string; product_name?: string; product_name_en?: string | null } | null | undefined): string {
  if (!p) return ''
  const zh = p.name ?? p.product_name ?? ''
  const en = p.name_en ?? p.product_name_en
  const name = currentLocale() === 'en' && en ? en : zh
  return p.model ? `${name} ${p.model}` : name
}

const ROLE_PERMS: Record<string, string[]> = {
  receive: ['admin', 'warehouse'],
  move: ['admin', 'warehouse'],
  pick: ['admin', 'warehouse'],
  inspect: ['admin', 'qa'],
  release: ['admin', 'qa'],
}

/** Mirrors backend/auth/rules.py for showing or hiding actions; the server decides. */
export function can(action: keyof typeof ROLE_PERMS): boolean {
  const roles = useSessionStore().user?.roles ?? []
  return roles.some((r) => ROLE_PERMS[action]!.includes(r))
}
