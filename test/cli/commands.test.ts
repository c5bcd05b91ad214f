// The command table (cli/commands.ts) lists each command for the top-level help without loading its
// file: what it lists must be what the file, once loaded, declares.
import { Command, Help } from 'commander'
import { describe, expect, it } from 'vitest'
import { COMMANDS, commandNamed, registerCommands } from '../../cli/commands.ts'

function program(): Command {
  return new Command('polyhouse').option('--data-dir <dir>').option('--verbose')
}

describe('the command table', () => {
  it('lists every command with the usage and summary its file declares', async () => {
    const loaded = program()
    await registerCommands(loaded)
    expect(loaded.commands.map((command) => command.name())).toEqual(Object.keys(COMMANDS))
    const help = new Help()
    for (const command of loaded.commands) {
      const entry = COMMANDS[command.name()]
      expect(`${command.name()} ${entry?.usage}`.trim(), command.name()).toBe(help.subcommandTerm(command))
      expect(entry?.summary, command.name()).toBe(help.subcommandDescription(command))
    }
  })

  it('loads only the command the arguments name, after global options and their values', async () => {
    const partial = program()
    await registerCommands(partial, ['--data-dir', 'query', '--verbose', 'status', '--json'])
    const status = partial.commands.find((command) => command.name() === 'status')
    const query = partial.commands.find((command) => command.name() === 'query')
    expect(status?.options.map((option) => option.long)).toContain('--json')
    expect(query?.options).toEqual([])
    expect(commandNamed(partial, ['help', 'wallet'])).toBe('wallet')
    expect(commandNamed(partial, ['--verbose'])).toBeUndefined()
    expect(commandNamed(partial, ['backfil'])).toBeUndefined()
  })
})
