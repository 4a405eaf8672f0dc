import { describe, expect, it } from 'vitest';
import { commands } from '../../cli/registry.ts';
import { runCli as run } from '../helpers/runCli.ts';

describe('help of a command group', () => {
  it.each(['pcfg', 'corpus', 'eval'])('pretext %s --help lists exactly its subcommands and exits 0', async (group) => {
    const r = await run([group, '--help']);
    expect(r.code, r.err).toBe(0);
    const listed = [...r.out.matchAll(/^ {2}pretext (\S+ \S+)/gm)].map((m) => m[1]);
    const expected = commands.filter((c) => c.path[0] === group).map((c) => c.path.join(' '));
    expect(expected.length).toBeGreaterThan(1);
    expect(listed.sort()).toEqual(expected.sort());
  });

  it('a group without a subcommand says so, lists them, and exits 2', async () => {
    const r = await run(['pcfg']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pretext pcfg: give a subcommand/);
    expect(r.err).toContain('pretext pcfg generate');
  });

  it('an unknown command is still an error', async () => {
    const r = await run(['pcfgx', '--help']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command "pcfgx --help"/);
  });
});
