import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../cli/command.ts';
import { commands } from '../../cli/registry.ts';

const root = join(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The `npx pretext ...` commands of the README's bash blocks, as words (placeholders like `...` left out). */
function readmeCommands(): string[][] {
  const blocks = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .flatMap((line) => line.replace(/\s+#.*$/, '').split(';'))
    .map((c) => c.trim())
    .filter((c) => c.startsWith('npx pretext ') && !c.includes('...') && !c.includes('<command>'))
    .map((c) => [...c.replace(/[[\]]/g, '').matchAll(/"[^"]*"|\S+/g)].map((m) => m[0]).slice(2));
}

function commandOf(words: readonly string[]): Command | undefined {
  return commands.filter((c) => c.path.every((p, i) => words[i] === p)).sort((a, b) => b.path.length - a.path.length)[0];
}

describe('README examples', () => {
  const examples = readmeCommands();

  it('are real commands with real flags', () => {
    expect(examples.length).toBeGreaterThan(3);
    for (const words of examples) {
      const command = commandOf(words);
      expect(command, words.join(' ')).toBeDefined();
      for (const flag of words.filter((w) => w.startsWith('--'))) expect(Object.keys(command!.options), `${words.join(' ')}: ${flag}`).toContain(flag.slice(2));
    }
  });

  it('need nothing outside the project (no ../shared)', () => {
    for (const words of examples) expect(words.join(' '), 'use a self-contained input, e.g. pcfg grammar --out').not.toMatch(/(\.\.\/|\/work\/)shared/);
  });

  it('write only where git ignores', () => {
    // Absolute paths (the multi-machine recipes' shared folders) lie outside the project.
    const outputs = examples.flatMap((w) => w.flatMap((x, i) => (x === '--out' && !w[i + 1]!.startsWith('/') ? [w[i + 1]!] : [])));
    expect(outputs.length).toBeGreaterThan(3);
    for (const out of outputs) {
      const r = spawnSync('git', ['check-ignore', '-q', out], { cwd: root });
      expect(r.status, `${out} is not ignored by .gitignore`).toBe(0);
    }
  });
});
