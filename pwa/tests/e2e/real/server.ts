/** The real server for the journeys lives in scripts/real-server.mjs (shared with the benches). */
export { startServer, freePort } from '../../../scripts/real-server.mjs'
