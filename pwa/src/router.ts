/** Routes: every screen is lazy-loaded; anything but sign-in needs a session. */
import { createRouter, createWebHistory } from 'vue-router'
import { useSessionStore } from '@/stores/session'
import { i18n } from '@/i18n'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    titleKey?: string
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/signin', name: 'signin', component: () => import('@/views/SignIn.vue'), meta: { public: true } },
    { path: '/', name: 'home', component: () => import('@/views/Home.vue') },
    { path: '/lookup', name: 'lookup', component: () => import('@/views/Lookup.vue'), meta: { titleKey: 'lookup.title' } },
    { path: '/pending', name: 'pending', component: () => import('@/views/Pending.vue'), meta: { titleKey: 'pending.title' } },
    { path: '/settings/scanner', name: 'scanner', component: () => import('@/views/ScannerSettings.vue'), meta: { titleKey: 'scanner.title' } },
    { path: '/receive', name: 'receive', component: () => import('@/views/Receive.vue'), meta: { titleKey: 'tiles.receive' } },
    { path: '/qa-release', name: 'qa-release', component: () => import('@/views/QaRelease.vue'), meta: { titleKey: 'tiles.qaRelease' } },
    { path: '/putaway', name: 'putaway', component: () => import('@/views/Putaway.vue'), meta: { titleKey: 'tiles.putaway' } },
    { path: '/pick', name: 'pick', component: () => import('@/views/Pick.vue'), meta: { titleKey: 'tiles.pick' } },
    { path: '/pick/:id(\\d+)', name: 'pick-list', component: () => import('@/views/Pick.vue'), meta: { titleKey: 'tiles.pick' } },
    { path: '/transfer', name: 'transfer', component: () => import('@/views/Transfer.vue'), meta: { titleKey: 'tiles.transfer' } },
    // Alerts, the ward screens and the warehouse's ward orders: their own lazy chunks (and words, ward/i18n.ts), never in the handheld's first load.
    { path: '/alerts', name: 'alerts', component: () => import('@/views/Alerts.vue'), meta: { titleKey: 'tiles.alerts' } },
    { path: '/alerts/:id(\\d+)', name: 'alert', component: () => import('@/views/Alerts.vue'), meta: { titleKey: 'tiles.alerts' } },
    { path: '/ward/request', name: 'ward-request', component: () => import('@/views/WardRequest.vue'), meta: { titleKey: 'tiles.wardRequest' } },
    { path: '/ward/requisitions', name: 'ward-requisitions', component: () => import('@/views/Requisitions.vue'), meta: { titleKey: 'tiles.wardRequisitions' } },
    { path: '/ward/requisitions/:id(\\d+)', name: 'ward-requisition', component: () => import('@/views/Requisitions.vue'), meta: { titleKey: 'tiles.wardRequisitions' } },
    { path: '/ward/use', name: 'ward-use', component: () => import('@/views/WardUse.vue'), meta: { titleKey: 'tiles.wardUse' } },
    { path: '/dispatch', name: 'dispatch', component: () => import('@/views/Dispatch.vue'), meta: { titleKey: 'tiles.wardDispatch' } },
    { path: '/dispatch/:id(\\d+)', name: 'dispatch-requisition', component: () => import('@/views/Dispatch.vue'), meta: { titleKey: 'tiles.wardDispatch' } },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  const session = useSessionStore()
  if (!to.meta.public && !session.signedIn) {
    return { name: 'signin', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.name === 'signin' && session.signedIn) return { name: 'home' }
  return true
})

router.afterEach((to) => {
  const key = to.meta.titleKey ?? (to.name === 'signin' ? 'signin.title' : null)
  document.title = key ? `${i18n.global.t(key)} · Lotwise` : 'Lotwise'
})
