// The chain's tip, for `status` and `gaps`: coverage is measured up to the tip minus the
// confirmation depth when an RPC endpoint is configured; offline, only up to the highest block done.
import { sleep } from '../core/sleep.ts'
import { DEFAULT_CONFIRMATIONS_POLYGON } from '../extract/chain/contracts.ts'
import { RpcClient } from '../extract/chain/rpc.ts'
import { checkBlockFlags } from './chain/index.ts'

/** How long status waits for eth_blockNumber before measuring offline: it must answer quickly. */
export const TIP_TIMEOUT_MS = 3_000
/**
 * Tries before giving up on the tip. Any failure is retried (a provider's 5xx may come back as an
 * HTML page, which the client calls a protocol error): a wrong tip would hide the trailing gap.
 */
export const TIP_ATTEMPTS = 3
/** Pause after the n-th failed try: n × this. */
const TIP_RETRY_PAUSE_MS = 250

export type ChainTip =
  | { known: true; tip: number; confirmations: number; safeHead: number }
  | { known: false; reason: string }

/**
 * The endpoint to read the tip from: the flag, else POLYGON_RPC_URL, else none (measured offline).
 * One that is not an http(s) URL is a mistake to fix, not an endpoint that did not answer.
 */
export function tipRpcUrl(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const url = flag?.trim() || env.POLYGON_RPC_URL?.trim() || undefined
  if (url) checkBlockFlags({ rpcUrl: url }, {})
  return url
}

/** Asks `rpcUrl` for the tip once; never throws (an unreachable endpoint means "unknown"). */
export async function readChainTip(
  rpcUrl: string | undefined,
  confirmations = DEFAULT_CONFIRMATIONS_POLYGON,
): Promise<ChainTip> {
  if (!rpcUrl) return { known: false, reason: 'POLYGON_RPC_URL is not set' }
  const rpc = new RpcClient({ url: rpcUrl, timeoutMs: TIP_TIMEOUT_MS })
  let failure: unknown
  try {
    for (let attempt = 1; attempt <= TIP_ATTEMPTS; attempt++) {
      try {
        const tip = await rpc.blockNumber()
        return { known: true, tip, confirmations, safeHead: tip - confirmations }
      } catch (error) {
        failure = error
        if (attempt < TIP_ATTEMPTS) await sleep(attempt * TIP_RETRY_PAUSE_MS)
      }
    }
  } finally {
    await rpc.close()
  }
  const message = (failure instanceof Error ? failure.message : String(failure)).split('\n')[0] ?? ''
  return { known: false, reason: `the RPC endpoint did not answer (${message})` }
}
