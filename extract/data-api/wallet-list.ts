// `--wallets FILE`: one address a line; blank lines and `#` comments are skipped. The file is read
// and checked whole before a run touches anything: a bad line is a typo to fix, so the run stops
// with one line naming the first few bad lines (escaped: a file may hold anything, terminal escapes
// included) and how many more there are.
import fs from 'node:fs'
import { UsageError } from '../../core/errors.ts'

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/** Bad lines quoted in the error; the rest are counted. */
const BAD_LINES_SHOWN = 3
/** Characters of a bad line quoted, before escaping. */
const BAD_LINE_CHARS = 40
/**
 * Largest list read: 256 MiB holds ~6 million addresses (43 bytes a line), several times the
 * wallets Polymarket has seen; past it the file is not a wallet list.
 */
export const MAX_WALLET_LIST_BYTES = 256 * 1024 * 1024

const HINT = 'give one 0x address (40 hex digits) a line; # starts a comment'

export interface WalletList {
  wallets: string[]
  invalid: { line: number; text: string }[]
}

export function parseWalletList(text: string): WalletList {
  const wallets = new Set<string>()
  const invalid: WalletList['invalid'] = []
  let number = 0
  for (const rawLine of text.split(/\r?\n/)) {
    number++
    const line = rawLine.replace(/#.*/, '').trim()
    if (!line) continue
    if (ADDRESS.test(line)) wallets.add(line.toLowerCase())
    else invalid.push({ line: number, text: rawLine.trim().slice(0, BAD_LINE_CHARS) })
  }
  return { wallets: [...wallets], invalid }
}

/** The addresses of a `--wallets` file, lower-cased and unique; a UsageError for anything else. */
export function readWalletList(file: string): string[] {
  const flag = `--wallets ${escapeForTerminal(file)}`
  let bytes: Buffer
  try {
    const size = fs.statSync(file).size
    if (size > MAX_WALLET_LIST_BYTES)
      throw new UsageError(`${flag} is ${Math.round(size / 2 ** 20)} MiB, larger than any wallet list`, {
        hint: HINT,
      })
    bytes = fs.readFileSync(file)
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`${flag}: ${(code && FILE_ERRORS[code]) ?? code ?? String(error)}`, {
      hint: `give a readable file; ${HINT}`,
    })
  }
  const text = decodeText(bytes)
  if (text === undefined) throw new UsageError(`${flag} is not a text file`, { hint: HINT })
  const list = parseWalletList(text)
  if (list.invalid.length > 0) throw badLines(flag, list.invalid)
  return list.wallets
}

export function isWalletAddress(text: string): boolean {
  return ADDRESS.test(text)
}

/**
 * A text as a terminal may show it: control characters (C0, DEL, C1 — ESC and CSI start terminal
 * sequences) and the Unicode line and direction overrides written as \uXXXX.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters escaped
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  ENOTDIR: 'a parent is not a directory',
}

/** UTF-8 text without NUL bytes, or undefined for anything else (a binary file). */
function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

function badLines(flag: string, invalid: WalletList['invalid']): UsageError {
  const count = invalid.length
  const shown = invalid
    .slice(0, BAD_LINES_SHOWN)
    .map((bad) => `line ${bad.line}: '${escapeForTerminal(bad.text)}'`)
    .join(', ')
  const more = count > BAD_LINES_SHOWN ? ` and ${(count - BAD_LINES_SHOWN).toLocaleString('en-US')} more` : ''
  const what =
    count === 1
      ? '1 line is not a wallet address'
      : `${count.toLocaleString('en-US')} lines are not wallet addresses`
  return new UsageError(`${flag}: ${what}: ${shown}${more}`, {
    hint: `fix or remove them (nothing was fetched); ${HINT}`,
  })
}
