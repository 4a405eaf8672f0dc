import cliProgress from 'cli-progress';

/** A terminal progress bar with ETA and the latest loss (only when stderr is a terminal; showLoss false for work without one). */
export class ProgressBar {
  private readonly bar: cliProgress.SingleBar | undefined;

  constructor(total: number, start: number, label: string, enabled = process.stderr.isTTY === true, showLoss = true) {
    if (!enabled) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total}${showLoss ? ' | loss {loss}' : ''} | {tps} tok/s | ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, start, { loss: '-', tps: '-' });
  }

  update(step: number, loss: number, tokensPerSecond: number): void {
    this.bar?.update(step, { loss: loss.toFixed(4), tps: Math.round(tokensPerSecond) });
  }

  stop(): void {
    this.bar?.stop();
  }
}
