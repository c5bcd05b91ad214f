// What an eth_getLogs error from a JSON-RPC provider means for the range engine. Providers cap
// block ranges and result sizes with different codes and prose; this is the one place that
// reads that prose (after ponder's getLogsRetryHelper.ts). Every pattern cites where
// the real message was seen; test/extract/chain/provider-errors.test.ts replays them verbatim.

export type GetLogsErrorKind =
  /** The provider caps the block span: retry the same blocks in smaller ranges. */
  | 'range-too-large'
  /** The span is fine but it holds too many logs (or took too long): retry smaller. */
  | 'too-many-results'
  /** Slow down, then retry the same request. */
  | 'rate-limited'
  /** A transient fault: the same request may succeed later. */
  | 'retryable'
  /** Will fail again whatever we do: record it and stop retrying. */
  | 'fatal'

export interface BlockRange {
  from: number
  to: number
}

/** The parts of a JSON-RPC error (plus the HTTP status it came with, when known). */
export interface RpcErrorFacts {
  code?: number | undefined
  message: string
  data?: unknown
  httpStatus?: number | undefined
}

export interface GetLogsErrorClassification {
  kind: GetLogsErrorKind
  /** The range the provider said would work (clipped to the request), or one derived from its cap. */
  suggestedRange?: BlockRange
  /** The provider's block-span cap in blocks, when its message states one. */
  maxBlockRange?: number
  /** How long the provider asked us to wait, when it said. */
  retryAfterMs?: number
  /** The name of the rule that matched (for logs and tests). */
  rule: string
}

type Extract = (match: RegExpMatchArray) => { suggested?: BlockRange; max?: number }

interface Rule {
  name: string
  kind: GetLogsErrorKind
  pattern: RegExp
  /** Only when the JSON-RPC code is one of these. */
  codes?: readonly number[]
  extract?: Extract
}

const int = (text: string | undefined): number => {
  const raw = (text ?? '').replace(/[,._]/g, '')
  // Alchemy writes "2K", "10K".
  const k = /^(\d+)k$/i.exec(raw)
  return k ? Number(k[1]) * 1000 : Number(raw)
}
const hexRange: Extract = (m) => ({
  suggested: { from: Number.parseInt(m[1] ?? '', 16), to: Number.parseInt(m[2] ?? '', 16) },
})
const cap =
  (group = 1): Extract =>
  (m) => ({ max: int(m[group]) })

/** Ordered: the first matching rule wins, so specific messages precede generic ones. */
const RULES: readonly Rule[] = [
  // --- the provider names the range to use --------------------------------------------------
  {
    // Alchemy, result cap: "Log response size exceeded. You can make eth_getLogs requests with up
    // to a 2K block range and no limit on the response size, or you can request any block range
    // with a cap of 10K logs in the response. Based on your parameters, this block range should
    // work: [0x…, 0x…]" (ponder getLogsRetryHelper "alchemy"; bancorprotocol/webapp#523).
    name: 'alchemy-response-size',
    kind: 'too-many-results',
    pattern:
      /log response size exceeded.*?this block range should work: \[0x([0-9a-f]+),\s*0x([0-9a-f]+)\]/is,
    extract: hexRange,
  },
  {
    // Alchemy, span cap (free tier): -32600 "You can make eth_getLogs requests with up to a 500
    // block range. Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]"
    // (BobTheBuidler/dank_mids#772, boundless-xyz/boundless#838, cartesi/rollups-node#655).
    name: 'alchemy-block-range',
    kind: 'range-too-large',
    pattern:
      /up to an? ([\d,.]+k?) block range.*?this block range should work: \[0x([0-9a-f]+),\s*0x([0-9a-f]+)\]/is,
    extract: (m) => ({ max: int(m[1]), suggested: hexRange([m[0], m[2] ?? '', m[3] ?? '']).suggested }),
  },
  {
    // Infura (and zkSync): -32005 "query returned more than 10000 results. Try with this block
    // range [0x…, 0x…]." (ponder getLogsRetryHelper "infura, zksync" and its infura.test.ts).
    name: 'infura-try-range',
    kind: 'too-many-results',
    pattern: /try with this block range \[0x([0-9a-f]+),\s*0x([0-9a-f]+)\]/i,
    extract: hexRange,
  },
  {
    // Reth-based nodes (llamarpc, Base, Arc): -32602 "query exceeds max results 20000, retry with
    // the range 25766988-25775072" (base/base#2421; ponder llamarpc.test.ts). The suggested range
    // can equal the request (base/base#2421); the range engine then halves instead.
    name: 'reth-retry-range',
    kind: 'too-many-results',
    pattern: /exceeds max results (\d+), retry with the range (\d+)\s*-\s*(\d+)/i,
    extract: (m) => ({ suggested: { from: Number(m[2]), to: Number(m[3]) } }),
  },

  // --- too many logs in the span --------------------------------------------------------------
  {
    // geth/Infura/Aurora: -32005 "query returned more than 10000 results"
    // (aurora-is-near/aurora-relayer#327; Infura eth_getLogs constraints, MetaMask docs).
    name: 'more-than-n-results',
    kind: 'too-many-results',
    pattern: /query returned more than \d+ results/i,
  },
  {
    // llamarpc/Ankr/Reth: "query exceeds max results 20000" (ponder llamarpc.test.ts, ankr.test.ts).
    name: 'exceeds-max-results',
    kind: 'too-many-results',
    pattern: /exceeds max results/i,
  },
  {
    // Arbitrum: "logs matched by query exceeds limit of 10000" (ponder getLogsRetryHelper "arbitrum").
    name: 'arbitrum-log-limit',
    kind: 'too-many-results',
    pattern: /logs matched by query exceeds limit of \d+/i,
  },
  {
    // Erigon --rpc.logs.maxresults: "query returns too many logs, narrow …" (erigontech/erigon#19721).
    name: 'too-many-logs',
    kind: 'too-many-results',
    pattern: /too many (logs|results)/i,
  },
  {
    // Alchemy without a suggestion: "Log response size exceeded. Please reduce query block range."
    // (bancorprotocol/webapp#523); Optimism "backend response too large"; 1RPC "response size
    // should not greater than N bytes" (ponder getLogsRetryHelper "optimism", "1rpc").
    name: 'response-too-large',
    kind: 'too-many-results',
    pattern: /log response size exceeded|backend response too large|response size should not greater than/i,
  },
  {
    // The query ran out of time: Infura -32005 "query timeout exceeded" (Infura eth_getLogs
    // constraints, MetaMask docs; rotki node_inquirer.py halves on it); geth -32002 "request timed
    // out" (ethereum/go-ethereum#27688); "query timeout of 10 seconds exceeded"
    // (Analog-Labs/chain-connectors#275). Less work per request is the cure, so: shrink.
    name: 'query-timeout',
    kind: 'too-many-results',
    pattern: /query timeout (of \d+ seconds )?exceeded|request timed out/i,
  },

  // --- the span is over the provider's cap ----------------------------------------------------
  {
    // QuickNode: HTTP 413, -32614 "eth_getLogs is limited to a 10,000 range" (eternalsafe/wallet#57,
    // OffchainLabs/arbitrum-sdk#609); older -32602 "eth_getLogs and eth_newFilter are limited to a
    // 10,000 blocks range" (thirdweb-dev/js#275); 1RPC "eth_getLogs is limited to a 1000 blocks
    // range" (rotki node_inquirer.py).
    name: 'limited-to-a-n-range',
    kind: 'range-too-large',
    pattern: /limited to an? ([\d,.]+) (?:blocks? )?range/i,
    extract: cap(),
  },
  {
    // Polygon zkEVM RPC: -32602 "logs are limited to a 10000 block range" (0xPolygon/zkevm-node#3136).
    name: 'logs-limited-to-n-block-range',
    kind: 'range-too-large',
    pattern: /logs are limited to an? ([\d,.]+) block range/i,
    extract: cap(),
  },
  {
    // Infura (live API): -32602 "range 1000000 exceeds limit of 10000" (INFURA/infura#237).
    name: 'infura-range-limit',
    kind: 'range-too-large',
    pattern: /range \d+ exceeds limit of (\d+)/i,
    extract: cap(),
  },
  {
    // Tenderly: -32602 "invalid params", data.payload "range 9009594 is bigger than range limit
    // 2000" (bobanetwork/boba_legacy#827).
    name: 'tenderly-range-limit',
    kind: 'range-too-large',
    pattern: /range \d+ is bigger than range limit (\d+)/i,
    extract: cap(),
  },
  {
    // publicnode, BSC nodes: -32000 "exceed maximum block range: 5000" / ": 50000"
    // (AlphaWallet/alpha-wallet-android#2736; ponder publicnode.test.ts).
    name: 'exceed-maximum-block-range',
    kind: 'range-too-large',
    pattern: /exceed maximum block range:? ([\d,.]+)/i,
    extract: cap(),
  },
  {
    // Reth: -32602 "query exceeds max block range 5000" (paradigmxyz/reth#8558).
    name: 'exceeds-max-block-range',
    kind: 'range-too-large',
    pattern: /exceeds max block range ([\d,.]+)/i,
    extract: cap(),
  },
  {
    // Erigon --rpc.blockrange.limit: "query block range exceeds server limit, narrow your filter:
    // 1000" (erigontech/erigon#19721).
    name: 'erigon-block-range-limit',
    kind: 'range-too-large',
    pattern: /block range exceeds server limit[^\d]*(\d+)/i,
    extract: cap(),
  },
  {
    // Polygon PoS public RPC: "eth_getLogs block range too large, range: 99991, max: 3500"
    // (AlphaWallet/alpha-wallet-ios#3733, alpha-wallet-android#2326).
    name: 'polygon-range-max',
    kind: 'range-too-large',
    pattern: /block range too large, range: \d+, max: (\d+)/i,
    extract: cap(),
  },
  {
    // Polygon cdk-erigon rpc.logs.maxrange: -32005 "block range too large, max range: 1000"
    // (0xPolygon/cdk-erigon#1706).
    name: 'cdk-erigon-max-range',
    kind: 'range-too-large',
    pattern: /block range too large, max range: (\d+)/i,
    extract: cap(),
  },
  {
    // Morph (geth fork): -32000 "block range is larger than max block range, block range = 5120,
    // max block range = 5000" (enviodev/hyperindex#605).
    name: 'max-block-range-equals',
    kind: 'range-too-large',
    pattern: /max block range = (\d+)/i,
    extract: cap(),
  },
  {
    // Frontier/Moonbeam: "block range is too wide (maximum 1024)" (moonbeam-foundation/moonbeam#3250).
    name: 'too-wide-maximum',
    kind: 'range-too-large',
    pattern: /block range is too wide \(maximum (\d+)\)/i,
    extract: cap(),
  },
  {
    // dRPC free tier: code 35 "ranges over 10000 blocks are not supported on freetier" (quoted
    // verbatim, with code 35, in several public indexers' tests found by code search; no issue
    // thread found to link).
    name: 'drpc-freetier',
    kind: 'range-too-large',
    pattern: /ranges over ([\d,.]+) blocks are not supported/i,
    extract: cap(),
  },
  {
    // Ankr (newer): "maximum [from, to] blocks distance: 10000" (ponder-sh/ponder#1940).
    name: 'ankr-blocks-distance',
    kind: 'range-too-large',
    pattern: /maximum \[from, to\] blocks distance: (\d+)/i,
    extract: cap(),
  },
  {
    // Coinbase: "please limit the query to at most 1000 blocks" (ponder getLogsRetryHelper "coinbase").
    name: 'limit-to-at-most-n-blocks',
    kind: 'range-too-large',
    pattern: /limit the query to at most ([\d,.]+) blocks/i,
    extract: cap(),
  },
  {
    // Cloudflare: "Max range: 3500"; Avalanche "requested too many blocks from A to B, maximum is
    // set to 2048"; thirdweb "Maximum allowed number of requested blocks is 1000"; Blast "exceeds
    // the range allowed for your plan (5000 > 1000)" (ponder getLogsRetryHelper).
    name: 'misc-stated-cap',
    kind: 'range-too-large',
    pattern:
      /max range: (\d+)|maximum is set to (\d+)|maximum allowed number of requested blocks is (\d+)|range allowed for your plan \(\d+ > (\d+)\)/i,
    extract: (m) => ({ max: int(m[1] ?? m[2] ?? m[3] ?? m[4]) }),
  },
  {
    // Spans over a cap that the message does not state: Ankr -32600 "block range is too wide"
    // (ponder getLogsRetryHelper "ankr"); Base "block range too large"; OP "Block range is too
    // large"; Chainstack "Block range limit exceeded."; Candle -32600 "block range too high"
    // (AlphaWallet/alpha-wallet-ios#5277); Arc -32012 "requested range too large"; Scroll -32000
    // "block range is bigger than maxBlockRange" (scroll-tech/go-ethereum#529).
    name: 'range-too-large-unstated',
    kind: 'range-too-large',
    pattern:
      /block range is too wide|block range (is )?too large|block range limit exceeded|block range too high|requested range too large|block range is bigger than/i,
  },

  {
    // Not a provider's words: the client's own cap on a reply (MAX_REPLY_BYTES in rpc.ts), met when
    // an uncapped node (anvil, an own node) answers a wide range with every log it holds.
    name: 'reply-over-client-cap',
    kind: 'too-many-results',
    pattern: /reply passed the client's cap/i,
  },

  // --- slow down ------------------------------------------------------------------------------
  {
    // Alchemy: HTTP 429, code 429 "Your app has exceeded its compute units per second capacity…"
    // (gitcoinco/grants-stack-indexer#156, latticexyz/mud#1522). Infura: HTTP 429, -32005
    // "project ID request rate exceeded" (status-im/status-app#14665), "daily request count
    // exceeded, request rate limited" (CirclesUBI/circles-myxogastria#54). QuickNode: -32012
    // "credits limited to 6000/sec" (latticexyz/mud#1522).
    name: 'rate-limited',
    kind: 'rate-limited',
    pattern:
      /compute units per second|request rate exceeded|request count exceeded|request rate limited|credits limited to|too many requests|rate limit/i,
  },

  // --- transient ------------------------------------------------------------------------------
  {
    // A load-balanced backend behind the tip: -32602 "block range extends beyond current head
    // block" (ethereum/execution-apis tests/eth_getLogs); geth "header not found"; Base "no backend
    // is currently healthy to serve traffic" (ponder getLogsRetryHelper "base").
    name: 'node-behind-or-unhealthy',
    kind: 'retryable',
    pattern: /beyond current head block|header not found|no backend is currently healthy/i,
  },

  // --- will not get better --------------------------------------------------------------------
  {
    // Alchemy: HTTP 403, -32600 "Monthly capacity limit exceeded. Visit … to upgrade your scaling
    // policy" (xmtp/xmtpd#672, BuidlGuidl/hacked-wallet-recovery#45).
    name: 'quota-exhausted',
    kind: 'fatal',
    pattern: /monthly capacity limit exceeded/i,
  },
]

/** JSON-RPC codes that mean "the request itself is wrong" (JSON-RPC 2.0 spec). */
const INVALID_REQUEST_CODES = new Set([-32700, -32600, -32601, -32602])

/** Classifies an eth_getLogs error. Pass the requested range to get a concrete `suggestedRange`. */
export function classifyGetLogsError(
  error: RpcErrorFacts,
  requested?: BlockRange,
): GetLogsErrorClassification {
  const text = errorText(error)
  const retryAfterMs = backoffFromData(error.data)
  const withRetryAfter = <T extends object>(c: T) => (retryAfterMs === undefined ? c : { ...c, retryAfterMs })

  for (const rule of RULES) {
    if (rule.codes && (error.code === undefined || !rule.codes.includes(error.code))) continue
    const match = rule.pattern.exec(text)
    if (!match) continue
    const extracted = rule.extract?.(match) ?? {}
    const result: GetLogsErrorClassification = { kind: rule.kind, rule: rule.name }
    const max = extracted.max
    if (max !== undefined && Number.isSafeInteger(max) && max > 0) result.maxBlockRange = max
    const suggested = suggestion(extracted.suggested, result.maxBlockRange, requested)
    if (suggested) result.suggestedRange = suggested
    return withRetryAfter(result)
  }

  // No known message: decide on the HTTP status and the JSON-RPC code.
  if (error.httpStatus === 429 || error.code === 429)
    return withRetryAfter({ kind: 'rate-limited', rule: 'http-429' })
  // EIP-1474: -32005 "limit exceeded". Infura uses it for rate limits as well as result caps.
  if (error.code === -32005) return withRetryAfter({ kind: 'rate-limited', rule: 'code-32005' })
  if (error.httpStatus !== undefined && error.httpStatus >= 500)
    return { kind: 'retryable', rule: 'http-5xx' }
  if (error.code !== undefined && INVALID_REQUEST_CODES.has(error.code))
    return { kind: 'fatal', rule: 'invalid-request' }
  if (error.httpStatus === 401 || error.httpStatus === 403) return { kind: 'fatal', rule: 'unauthorized' }
  // -32000 (geth's catch-all server error), -32603 internal error, or nothing we know: a bounded
  // number of retries costs little, and the range ends up in etl_errors if they all fail.
  return { kind: 'retryable', rule: 'unknown' }
}

function errorText(error: RpcErrorFacts): string {
  if (error.data === undefined || error.data === null) return error.message
  const data = typeof error.data === 'string' ? error.data : safeStringify(error.data)
  return `${error.message} ${data}`
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return ''
  }
}

/** Infura's rate-limit errors carry data.backoff_seconds (MetaMask/eth-json-rpc-infura#33). */
function backoffFromData(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const seconds = (data as Record<string, unknown>).backoff_seconds
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined
}

function suggestion(
  explicit: BlockRange | undefined,
  max: number | undefined,
  requested: BlockRange | undefined,
): BlockRange | undefined {
  if (explicit) {
    if (
      !Number.isSafeInteger(explicit.from) ||
      !Number.isSafeInteger(explicit.to) ||
      explicit.from > explicit.to
    ) {
      return undefined
    }
    if (!requested) return explicit
    const from = Math.max(explicit.from, requested.from)
    const to = Math.min(explicit.to, requested.to)
    return from <= to ? { from, to } : undefined
  }
  if (max !== undefined && requested) {
    // Whether a cap of N means N blocks or N+1 (to - from <= N) differs by provider; N is safe.
    return { from: requested.from, to: Math.min(requested.to, requested.from + max - 1) }
  }
  return undefined
}
