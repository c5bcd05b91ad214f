// Who may query: the users configured for `serve` (--user/--password or a users file), the owner of
// the data directory (a random key written beside the data, for polyhouse's own commands), or — on
// loopback with nothing configured — ClickHouse's passwordless `default` user. Passwords are kept
// only as SHA-256 digests and compared in constant time; none is ever logged.
import crypto from 'node:crypto'
import fs from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { z } from 'zod'
import { UsageError } from '../../core/errors.ts'
import { ErrorCode, ServeError } from './errors.ts'

/** The user polyhouse's own commands (query, status, …) connect as, with the key from the info file. */
export const OWNER_USER = 'polyhouse_owner'
/** ClickHouse's name for a caller who gives none. */
const DEFAULT_USER = 'default'

export interface ServeUser {
  name: string
  passwordSha256Hex: string
}

export type Role = 'owner' | 'analyst'

export interface Caller {
  user: string
  role: Role
}

export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex')
}

/** A users file: `{"users": {"alice": {"password_sha256_hex": "…"}}}`, as ClickHouse's users.xml names it. */
const usersFileSchema = z.object({
  users: z.record(
    z.string().regex(/^[\w.@-]+$/, 'user names are letters, digits and . _ @ -'),
    z.object({ password_sha256_hex: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex digits') }),
  ),
})

export function readUsersFile(file: string): ServeUser[] {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UsageError(`cannot read the users file ${file}: ${(error as Error).message}`, {
      hint: 'write {"users": {"alice": {"password_sha256_hex": "<sha256 of the password>"}}}',
    })
  }
  const parsed = usersFileSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UsageError(`the users file ${file} is not valid: ${issue?.path.join('.')}: ${issue?.message}`, {
      hint: 'write {"users": {"alice": {"password_sha256_hex": "<sha256 of the password>"}}}',
    })
  }
  return Object.entries(parsed.data.users).map(([name, user]) => ({
    name,
    passwordSha256Hex: user.password_sha256_hex.toLowerCase(),
  }))
}

export class Authenticator {
  readonly #users: Map<string, Buffer>
  readonly #ownerKeyDigest: Buffer

  constructor(
    users: readonly ServeUser[],
    /** The owner's key; only its digest is kept. */
    ownerKey: string,
  ) {
    this.#users = new Map(users.map((user) => [user.name, Buffer.from(user.passwordSha256Hex, 'hex')]))
    this.#ownerKeyDigest = Buffer.from(sha256Hex(ownerKey), 'hex')
  }

  get requiresPassword(): boolean {
    return this.#users.size > 0
  }

  /** The caller a request authenticates as; a ServeError (516, HTTP 403) when it does not. */
  authenticate(request: IncomingMessage, url: URL): Caller {
    const { user, password } = credentialsOf(request, url)
    const digest = Buffer.from(sha256Hex(password), 'hex')
    if (user === OWNER_USER && crypto.timingSafeEqual(digest, this.#ownerKeyDigest)) {
      return { user, role: 'owner' }
    }
    const expected = this.#users.get(user)
    if (expected !== undefined && crypto.timingSafeEqual(digest, expected)) return { user, role: 'analyst' }
    if (this.#users.size === 0 && user === DEFAULT_USER && password === '') return { user, role: 'analyst' }
    // ClickHouse's wording, which names the user but never says which half was wrong.
    throw new ServeError(
      ErrorCode.AUTHENTICATION_FAILED,
      `${user}: Authentication failed: password is incorrect, or there is no user with such name`,
    )
  }
}

/** The user a request claims to be, before it is checked (for the query log). */
export function claimedUser(request: IncomingMessage, url: URL): string {
  return credentialsOf(request, url).user
}

/** Credentials the ways ClickHouse accepts them: Basic auth, X-ClickHouse-User/-Key, user/password parameters. */
function credentialsOf(request: IncomingMessage, url: URL): { user: string; password: string } {
  const authorization = request.headers.authorization
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return colon === -1
      ? { user: decoded || DEFAULT_USER, password: '' }
      : { user: decoded.slice(0, colon) || DEFAULT_USER, password: decoded.slice(colon + 1) }
  }
  const headerUser = request.headers['x-clickhouse-user']
  if (typeof headerUser === 'string') {
    const key = request.headers['x-clickhouse-key']
    return { user: headerUser || DEFAULT_USER, password: typeof key === 'string' ? key : '' }
  }
  return {
    user: url.searchParams.get('user') || DEFAULT_USER,
    password: url.searchParams.get('password') ?? '',
  }
}

/** A fresh secret for the owner user, written only to the 0600 info file. */
export function newOwnerKey(): string {
  return crypto.randomBytes(32).toString('hex')
}
