export declare const PWA: string
export declare const REPO: string
export declare function freePort(): Promise<number>
export declare function startServer(options?: { fresh?: boolean }): Promise<{ url: string; pid: number; dir: string; stop: () => Promise<void> }>
