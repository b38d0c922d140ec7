#!/usr/bin/env node
// Generates src/api/schema.d.ts from the backend's OpenAPI document with openapi-typescript.
// Input: env LOTWISE_OPENAPI (a URL such as http://127.0.0.1:8000/schema/openapi.json, or a
// file path), else ../var/openapi.json (written by the backend). Commit the generated file.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = join(dirname(fileURLToPath(import.meta.url)), '..')
const input = process.env.LOTWISE_OPENAPI ?? resolve(here, '..', 'var', 'openapi.json')
const output = join(here, 'src', 'api', 'schema.d.ts')

if (!/^https?:\/\//.test(input) && !existsSync(input)) {
  console.error(`gen:api: no OpenAPI document at ${input}.\n` +
    'Start the backend and set LOTWISE_OPENAPI=http://127.0.0.1:8000/schema/openapi.json, or write ../var/openapi.json.')
  process.exit(1)
}

const bin = join(here, 'node_modules', '.bin', process.platform === 'win32' ? 'openapi-typescript.cmd' : 'openapi-typescript')
const result = spawnSync(bin, [input, '--output', output, '--alphabetize', '--export-type'], { stdio: 'inherit', cwd: here })
if (result.status !== 0) process.exit(result.status ?? 1)
console.log(`gen:api: wrote ${output}; src/api/types.ts names the types the app uses. Commit both.`)
