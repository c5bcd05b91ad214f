// `--wallets FILE`: one address a line. Each is validated; bad lines are reported with their line
// numbers and never fetched. Blank lines and `#` comments are skipped.
import fs from 'node:fs'
import { UsageError } from '../../core/errors.ts'

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

export interface WalletList {
  wallets: string[]
  invalid: { line: number; text: string }[]
}

export function parseWalletList(text: string): WalletList {
  const wallets = new Set<string>()
  const invalid: WalletList['invalid'] = []
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.replace(/#.*/, '').trim()
    if (!line) return
    if (ADDRESS.test(line)) wallets.add(line.toLowerCase())
    else invalid.push({ line: index + 1, text: rawLine.trim().slice(0, 80) })
  })
  return { wallets: [...wallets], invalid }
}

export function readWalletList(file: string): WalletList {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read --wallets ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
      hint: 'give a readable file with one 0x address per line',
    })
  }
  return parseWalletList(text)
}

export function isWalletAddress(text: string): boolean {
  return ADDRESS.test(text)
}
