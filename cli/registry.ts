import type { Command } from './command.ts';

/** Every `pretext` subcommand. Each area of the project contributes its own list. */
export const commands: readonly Command[] = [];
