// A real EVM node for tests: starts anvil (from the @foundry-rs/anvil npm package) on a free
// port, places a tiny log-emitting contract at any addresses (anvil_setCode), and emits arbitrary
// logs — topics and data chosen by the test — from transactions sent by anvil's unlocked
// accounts. Used to prove the RPC path (rpc.ts → abi.ts) against real ABI-encoded logs.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { RpcClient } from '../../extract/chain/rpc.ts'

type Hex = `0x${string}`

/** How long anvil may take to answer its first request. */
export const ANVIL_STARTUP_TIMEOUT_MS = 30_000
/** How long anvil may take to exit after SIGTERM before it is killed. */
export const ANVIL_STOP_TIMEOUT_MS = 5_000

// --- the log emitter -------------------------------------------------------------------------------
//
// Calldata layout (documented here, built by `emitterCalldata`):
//
//   byte 0                   n, the number of topics (0–4)
//   bytes 1 + 32·i … +32     topic i, for i in 0 … n-1
//   bytes 1 + 32·n … end     the log's data, copied verbatim
//
// The contract copies the data to memory at 0 and runs LOGn(0, len(data), topic0 … topic(n-1)).
// Any n > 4 reverts. It has no storage and no other behaviour.

const OPCODES: Record<string, number> = {
  STOP: 0x00,
  ADD: 0x01,
  SUB: 0x03,
  EQ: 0x14,
  ISZERO: 0x15,
  SHL: 0x1b,
  SHR: 0x1c,
  CALLDATALOAD: 0x35,
  CALLDATASIZE: 0x36,
  CALLDATACOPY: 0x37,
  POP: 0x50,
  JUMPI: 0x57,
  JUMPDEST: 0x5b,
  PUSH1: 0x60,
  PUSH2: 0x61,
  DUP1: 0x80,
  DUP2: 0x81,
  DUP3: 0x82,
  DUP4: 0x83,
  DUP5: 0x84,
  SWAP1: 0x90,
  LOG0: 0xa0,
  LOG1: 0xa1,
  LOG2: 0xa2,
  LOG3: 0xa3,
  LOG4: 0xa4,
  REVERT: 0xfd,
}

// Stack comments list the top first. `PUSH2 @label` jumps are resolved by `assemble`.
const EMITTER_ASSEMBLY = `
  PUSH1 0x00 CALLDATALOAD PUSH1 0xf8 SHR    ; n = calldata[0]                  [n]
  DUP1 PUSH1 0x05 SHL PUSH1 0x01 ADD        ; off = 1 + 32·n                   [off, n]
  DUP1 CALLDATASIZE SUB                     ; len = CALLDATASIZE - off         [len, off, n]
  DUP1 DUP3 PUSH1 0x00 CALLDATACOPY         ; memory[0, len) = calldata[off …) [len, off, n]
  SWAP1 POP SWAP1                           ;                                  [n, len]
  DUP1 ISZERO PUSH2 @log0 JUMPI             ; dispatch on n
  DUP1 PUSH1 0x01 EQ PUSH2 @log1 JUMPI
  DUP1 PUSH1 0x02 EQ PUSH2 @log2 JUMPI
  DUP1 PUSH1 0x03 EQ PUSH2 @log3 JUMPI
  DUP1 PUSH1 0x04 EQ PUSH2 @log4 JUMPI
  PUSH1 0x00 DUP1 REVERT                    ; n > 4
  log0: JUMPDEST POP                                                       ; [len]
    DUP1 PUSH1 0x00 LOG0 STOP                                              ; LOG0(0, len)
  log1: JUMPDEST POP
    PUSH1 0x01 CALLDATALOAD                                                ; [t0, len]
    DUP2 PUSH1 0x00 LOG1 STOP                                              ; LOG1(0, len, t0)
  log2: JUMPDEST POP
    PUSH1 0x21 CALLDATALOAD PUSH1 0x01 CALLDATALOAD                        ; [t0, t1, len]
    DUP3 PUSH1 0x00 LOG2 STOP
  log3: JUMPDEST POP
    PUSH1 0x41 CALLDATALOAD PUSH1 0x21 CALLDATALOAD PUSH1 0x01 CALLDATALOAD
    DUP4 PUSH1 0x00 LOG3 STOP
  log4: JUMPDEST POP
    PUSH1 0x61 CALLDATALOAD PUSH1 0x41 CALLDATALOAD PUSH1 0x21 CALLDATALOAD PUSH1 0x01 CALLDATALOAD
    DUP5 PUSH1 0x00 LOG4 STOP
`

/**
 * A two-pass assembler for the listing above: mnemonics, 0x byte literals (PUSH1 operands),
 * `name:` label definitions and `@name` label references (two bytes, after PUSH2).
 */
function assemble(listing: string): Hex {
  const tokens = listing
    .split('\n')
    .map((line) => line.replace(/;.*$/, ''))
    .flatMap((line) => line.split(/\s+/).filter(Boolean))
  const size = (token: string) => (token.endsWith(':') ? 0 : token.startsWith('@') ? 2 : 1)
  const labels = new Map<string, number>()
  let offset = 0
  for (const token of tokens) {
    if (token.endsWith(':')) labels.set(token.slice(0, -1), offset)
    offset += size(token)
  }
  const bytes: number[] = []
  for (const token of tokens) {
    if (token.endsWith(':')) continue
    if (token.startsWith('@')) {
      const target = labels.get(token.slice(1))
      if (target === undefined) throw new Error(`unknown label ${token}`)
      bytes.push(target >> 8, target & 0xff)
    } else if (token.startsWith('0x')) {
      bytes.push(Number.parseInt(token, 16))
    } else {
      const opcode = OPCODES[token]
      if (opcode === undefined) throw new Error(`unknown mnemonic ${token}`)
      bytes.push(opcode)
    }
  }
  return `0x${bytes.map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

/** Runtime bytecode of the log emitter (see the calldata layout above). */
export const LOG_EMITTER_BYTECODE: Hex = assemble(EMITTER_ASSEMBLY)

const isBytes32 = (v: string) => /^0x[0-9a-fA-F]{64}$/.test(v)

/** Calldata asking the emitter for a log with these topics and data. */
export function emitterCalldata(topics: readonly string[], data: string): Hex {
  if (topics.length > 4) throw new Error(`a log has at most 4 topics, got ${topics.length}`)
  for (const t of topics) if (!isBytes32(t)) throw new Error(`topic is not 32 bytes: ${t}`)
  if (!/^0x([0-9a-fA-F]{2})*$/.test(data)) throw new Error(`data is not hex bytes: ${data}`)
  const n = topics.length.toString(16).padStart(2, '0')
  return `0x${n}${topics.map((t) => t.slice(2)).join('')}${data.slice(2)}`.toLowerCase() as Hex
}

// --- the node -------------------------------------------------------------------------------------

export interface LogToEmit {
  address: string
  topics: readonly string[]
  data: string
}

export interface EmittedLog extends LogToEmit {
  txHash: string
  blockNumber: number
}

export interface AnvilOptions {
  /** eth_chainId to report; anvil's default is 31337. */
  chainId?: number
}

export class Anvil {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly rpc: RpcClient,
    private readonly stderr: () => string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  static async start(options: AnvilOptions = {}): Promise<Anvil> {
    let lastError: unknown
    // A free port can be taken between our probe and anvil's bind: try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await Anvil.startOnce(await freePort(), options)
      } catch (error) {
        lastError = error
      }
    }
    throw lastError
  }

  private static async startOnce(port: number, options: AnvilOptions): Promise<Anvil> {
    const args = ['--port', String(port), '--host', '127.0.0.1', '--silent']
    if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId))
    const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] })
    // If the test process dies without close(), do not leave anvil behind.
    const killOnExit = () => child.kill('SIGKILL')
    process.once('exit', killOnExit)
    child.once('exit', () => process.off('exit', killOnExit))
    let stderr = ''
    child.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    const exited = new Promise<never>((_, reject) => {
      child.once('exit', (code, signal) =>
        reject(new Error(`anvil exited (${code ?? signal}) on start: ${stderr}`)),
      )
      child.once('error', reject)
    })
    exited.catch(() => {})
    // A local node has no quota: pace only so far as to never hold a test back.
    const rpc = new RpcClient({
      url: `http://127.0.0.1:${port}`,
      timeoutMs: 5_000,
      rate: { count: 100_000, windowMs: 1_000 },
    })
    const anvil = new Anvil(child, port, rpc, () => stderr)
    try {
      await Promise.race([waitUntilReady(rpc), exited])
    } catch (error) {
      await anvil.close()
      throw error
    }
    return anvil
  }

  async close(): Promise<void> {
    await this.rpc.close().catch(() => {})
    const child = this.child
    if (child.exitCode !== null || child.signalCode !== null) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), ANVIL_STOP_TIMEOUT_MS)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  }

  /** anvil's first unlocked account. */
  async sender(): Promise<string> {
    const accounts = (await this.rpc.request('eth_accounts')) as string[]
    const first = accounts[0]
    if (!first) throw new Error('anvil has no unlocked accounts')
    return first
  }

  async setCode(address: string, code: Hex): Promise<void> {
    await this.rpc.request('anvil_setCode', [address, code])
  }

  /** Places the log emitter at each address. */
  async placeLogEmitter(addresses: readonly string[]): Promise<void> {
    for (const address of addresses) await this.setCode(address, LOG_EMITTER_BYTECODE)
  }

  async mine(blocks = 1): Promise<void> {
    await this.rpc.request('anvil_mine', [`0x${blocks.toString(16)}`])
  }

  /**
   * Emits the logs, one transaction each, in order. `sameBlock` puts them all in one block (so
   * their log indexes are 0, 1, 2, …); otherwise each transaction is mined in its own block.
   */
  async emitLogs(logs: readonly LogToEmit[], options: { sameBlock?: boolean } = {}): Promise<EmittedLog[]> {
    const from = await this.sender()
    if (options.sameBlock) await this.rpc.request('evm_setAutomine', [false])
    const hashes: string[] = []
    const receipts: Awaited<ReturnType<Anvil['receipt']>>[] = []
    try {
      for (const log of logs) {
        const txHash = (await this.rpc.request('eth_sendTransaction', [
          { from, to: log.address, data: emitterCalldata(log.topics, log.data), gas: '0x1e8480' },
        ])) as string
        hashes.push(txHash)
        // Automine answers before it mines: the next transaction, sent at once, may join the same
        // block (and take log index 1) on a busy machine. Each waits for the one before.
        if (!options.sameBlock) receipts.push(await this.receipt(txHash))
      }
      if (options.sameBlock) await this.mine(1)
    } finally {
      if (options.sameBlock) await this.rpc.request('evm_setAutomine', [true])
    }
    const emitted: EmittedLog[] = []
    for (const [i, txHash] of hashes.entries()) {
      const receipt = receipts[i] ?? (await this.receipt(txHash))
      if (receipt?.status !== '0x1' || receipt.logs.length !== 1) {
        throw new Error(`emitting log ${i} failed: ${JSON.stringify(receipt)} ${this.stderr()}`)
      }
      emitted.push({ ...(logs[i] as LogToEmit), txHash, blockNumber: Number(receipt.blockNumber) })
    }
    return emitted
  }

  /** The receipt of a sent transaction, waiting for anvil to mine it. */
  private async receipt(txHash: string) {
    const deadline = Date.now() + ANVIL_STARTUP_TIMEOUT_MS
    for (;;) {
      const receipt = (await this.rpc.request('eth_getTransactionReceipt', [txHash])) as {
        status: string
        blockNumber: string
        logs: unknown[]
      } | null
      if (receipt || Date.now() > deadline) return receipt
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  async emitLog(log: LogToEmit): Promise<EmittedLog> {
    const [emitted] = await this.emitLogs([log])
    return emitted as EmittedLog
  }
}

async function waitUntilReady(rpc: RpcClient): Promise<void> {
  const deadline = Date.now() + ANVIL_STARTUP_TIMEOUT_MS
  for (;;) {
    try {
      await rpc.chainId()
      return
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`anvil did not answer within ${ANVIL_STARTUP_TIMEOUT_MS} ms`, { cause: error })
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * The platform binary shipped inside the npm package, so that our child *is* anvil and SIGTERM
 * reaches it; falls back to the package's node wrapper (which forwards SIGTERM).
 */
function anvilBinary(): string {
  const require = createRequire(import.meta.url)
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  try {
    return require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/${exe}`)
  } catch {
    const here = path.dirname(fileURLToPath(import.meta.url))
    const wrapper = path.resolve(here, '../../node_modules/.bin/anvil')
    if (existsSync(wrapper)) return wrapper
    throw new Error('anvil is not installed: run npm install (devDependency @foundry-rs/anvil)')
  }
}
