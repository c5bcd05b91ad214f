// What a JSON-RPC reply means: the errors a node's answer can amount to, and the zod schemas that
// check a result the moment it enters the program. Pure; the client (rpc.ts) feeds it bodies.
import { z } from 'zod'
import { NonRetryableError, PolyhouseError } from '../../core/errors.ts'
import { scrubUrlParts } from '../../core/redact.ts'
import { type BlockRange, classifyGetLogsError, type GetLogsErrorClassification } from './provider-errors.ts'

/**
 * The node answered with a JSON-RPC error object. `retryable` says whether the same request may
 * succeed later (rate limits, transient faults); range errors are not retryable as such — the
 * caller asks `classification` for a smaller range instead.
 */
export class RpcError extends PolyhouseError {
  override readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  readonly classification: GetLogsErrorClassification

  constructor(
    readonly method: string,
    readonly code: number | undefined,
    readonly rpcMessage: string,
    readonly data: unknown,
    readonly httpStatus: number | undefined,
    options: { requested?: BlockRange | undefined; retryAfterMs?: number | undefined; url?: URL } = {},
  ) {
    const classification = classifyGetLogsError(
      { code, message: rpcMessage, data, httpStatus },
      options.requested,
    )
    // Providers may echo the request URL (and its key) in their messages: shown scrubbed.
    const shown = options.url ? scrubUrlParts(rpcMessage, options.url) : rpcMessage
    super(`${method} failed: ${shown}${code === undefined ? '' : ` (code ${code})`}`, {
      hint: HINTS[classification.kind],
    })
    this.classification = classification
    this.retryable = classification.kind === 'rate-limited' || classification.kind === 'retryable'
    this.retryAfterMs = options.retryAfterMs ?? classification.retryAfterMs
  }
}

const HINTS: Record<GetLogsErrorClassification['kind'], string> = {
  'range-too-large': 'the provider caps the block range; the range is split and fetched again',
  'too-many-results': 'the range holds too many logs for the provider; it is split and fetched again',
  'rate-limited': 'the provider is rate limiting; lower --rate rpc=… if this repeats',
  retryable: 'a transient provider fault; the request is retried',
  fatal: 'the provider refused the request; check POLYGON_RPC_URL, its API key and plan',
}

/** The answer came back but is not what the JSON-RPC method promises, or the endpoint refused us. */
export class RpcProtocolError extends NonRetryableError {}

const errorObjectSchema = z.object({
  code: z.number().optional(),
  message: z.string().default(''),
  data: z.unknown().optional(),
})
export const responseSchema = z.object({
  id: z.union([z.number(), z.string(), z.null()]).optional(),
  result: z.unknown().optional(),
  error: errorObjectSchema.optional(),
})
export type RpcResponse = z.output<typeof responseSchema>

export const quantitySchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/, 'expected a 0x hex quantity')
  .transform((v, ctx) => {
    const n = Number(BigInt(v))
    if (!Number.isSafeInteger(n)) {
      ctx.addIssue({ code: 'custom', message: `${v} is not a safe integer` })
      return z.NEVER
    }
    return n
  })
const hashSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte 0x hash')
  .transform((v) => v.toLowerCase())
export const blockHeaderSchema = z
  .object({ number: quantitySchema, hash: hashSchema, parentHash: hashSchema, timestamp: quantitySchema })
  .nullable()

/** The result of a reply, or its error object thrown as RpcError. */
export function unwrap(
  response: RpcResponse,
  method: string,
  httpStatus: number,
  options: { requested?: BlockRange | undefined; retryAfterMs?: number | undefined; url?: URL } = {},
): unknown {
  if (response.error) {
    const { code, message, data } = response.error
    throw new RpcError(method, code, message, data, httpStatus, options)
  }
  if (!('result' in response)) {
    throw new RpcProtocolError(`${method}: the response has neither result nor error`)
  }
  return response.result
}

export function parseResult<T extends z.ZodType>(method: string, schema: T, result: unknown): z.output<T> {
  const parsed = schema.safeParse(result)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    throw new RpcProtocolError(
      `${method} returned an unexpected result${where}: ${issue?.message ?? 'invalid'}`,
      { cause: parsed.error },
    )
  }
  return parsed.data
}

/**
 * A JSON-RPC reply (or batch of them): a `result`, or an `error` object with a numeric code. A
 * gateway's own JSON error (`{"error":"Internal Server Error"}` with a 5xx) is not one: its status
 * decides, so a 5xx stays a retryable failure rather than a protocol error.
 */
export function isJsonRpcShaped(body: unknown): boolean {
  if (Array.isArray(body)) return body.length > 0 && body.every(isJsonRpcShaped)
  if (typeof body !== 'object' || body === null) return false
  if ('result' in body) return true
  const error = (body as { error?: unknown }).error
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number'
}
