// Raw eth_getLogs entries checked at the edge, and what every stream's reference decoder is built
// from: the log's position, and viem's `decodeEventLog` over an event fragment of contracts.ts with
// its failures turned into the LogDecodeError that quarantines the log. The decoders themselves live
// with their streams (steps/chain/decode.ts, steps/transfers/decode.ts).
import { type Abi, type DecodeEventLogReturnType, decodeEventLog } from 'viem'
import { z } from 'zod'
import { NonRetryableError } from '../../core/errors.ts'

// ---------------------------------------------------------------------------------------------
// The raw log, as eth_getLogs returns it (checked at the edge; hex strings stay hex strings so
// the row's `raw` column can keep exactly what the provider sent, lower-cased).

type Hex = `0x${string}`

const hexData = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-prefixed hex bytes')
  .transform((v) => v.toLowerCase() as Hex)
const hash32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte 0x hash')
  .transform((v) => v.toLowerCase() as Hex)
const address20 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte 0x address')
  .transform((v) => v.toLowerCase() as Hex)
/** A JSON-RPC QUANTITY ("0x1a"); `null`/absent allowed where the field is optional. */
const quantity = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/, 'expected a 0x hex quantity')
  .transform((v) => v.toLowerCase() as Hex)
const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v) => (v ?? null) as z.output<T> | null)

/**
 * One entry of an eth_getLogs result. `blockNumber` is null only for pending logs; `logIndex`,
 * `transactionIndex`, `blockHash` and `blockTimestamp` are optional because real payloads omit
 * them (SOURCES.md: the transfer fixtures were trimmed; `blockTimestamp` is a newer field).
 */
export const rawLogSchema = z.object({
  address: address20,
  topics: z.array(hash32).max(4),
  data: hexData,
  blockNumber: optional(quantity),
  blockHash: optional(hash32),
  blockTimestamp: optional(quantity),
  transactionHash: optional(hash32),
  transactionIndex: optional(quantity),
  logIndex: optional(quantity),
  removed: z.boolean().optional().default(false),
})
export type RawLog = z.output<typeof rawLogSchema>

export const rawLogsSchema = z.array(rawLogSchema)

/** A log that cannot become a row: quarantine it with `reason` and `raw`, do not retry. */
export class LogDecodeError extends NonRetryableError {
  constructor(
    readonly reason: string,
    readonly raw: unknown,
    options: { cause?: unknown } = {},
  ) {
    super(`cannot decode log: ${reason}`, {
      hint: 'the log is quarantined with its raw JSON; the run goes on',
      cause: options.cause,
    })
  }
}

export function parseRawLog(value: unknown): RawLog {
  const parsed = rawLogSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
    throw new LogDecodeError(`${where}${issue?.message ?? 'invalid log'}`, value, { cause: parsed.error })
  }
  return parsed.data
}

// ---------------------------------------------------------------------------------------------
// What a reference decoder reads from any log. Field names are the warehouse column names.

export interface LogPosition {
  block_number: number
  /** Absent in trimmed payloads; the chain step fills it from eth_getBlockByNumber. */
  block_hash: string | null
  /** From the log's `blockTimestamp` (unix seconds) when the provider sends it, else null. */
  block_timestamp: number | null
  tx_hash: string
  transaction_index: number | null
  /** Required for the (block_number, log_index) key; null only in trimmed payloads. */
  log_index: number | null
}

function toNumber(field: string, value: Hex, log: RawLog): number {
  const n = Number(BigInt(value))
  if (!Number.isSafeInteger(n)) throw new LogDecodeError(`${field} ${value} is not a safe integer`, log)
  return n
}

/** Where the log lies on chain; LogDecodeError when it has no block (pending) or no transaction. */
export function logPosition(log: RawLog): LogPosition {
  if (log.blockNumber === null) throw new LogDecodeError('blockNumber is missing (a pending log)', log)
  if (log.transactionHash === null) throw new LogDecodeError('transactionHash is missing', log)
  return {
    block_number: toNumber('blockNumber', log.blockNumber, log),
    block_hash: log.blockHash,
    block_timestamp: log.blockTimestamp === null ? null : toNumber('blockTimestamp', log.blockTimestamp, log),
    tx_hash: log.transactionHash,
    transaction_index:
      log.transactionIndex === null ? null : toNumber('transactionIndex', log.transactionIndex, log),
    log_index: log.logIndex === null ? null : toNumber('logIndex', log.logIndex, log),
  }
}

/**
 * The log decoded by viem against `abi` (one or more event fragments), strictly: the data must hold
 * the non-indexed inputs (viem refuses too little data, not trailing words). With it, the log's
 * position. Any failure is a LogDecodeError for the quarantine.
 */
export function decodeEvent<const abi extends Abi>(
  log: RawLog,
  abi: abi,
): DecodeEventLogReturnType<abi, undefined, [Hex, ...Hex[]], Hex, true> & { position: LogPosition } {
  const [signature, ...rest] = log.topics
  if (signature === undefined) throw new LogDecodeError('log has no topics (anonymous event)', log)
  let decoded: DecodeEventLogReturnType<abi, undefined, [Hex, ...Hex[]], Hex, true>
  try {
    decoded = decodeEventLog({ abi, data: log.data, topics: [signature, ...rest], strict: true })
  } catch (error) {
    const detail =
      error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : ''
    throw new LogDecodeError(`ABI decoding failed: ${detail}`, log, { cause: error })
  }
  return { ...decoded, position: logPosition(log) }
}
