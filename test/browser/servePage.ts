// Drives the page of `pretext serve` in headless Chromium (serve.test.ts).
import type { Page } from 'playwright-core';
import type { WebSettings } from '../../web/session/settings.ts';
import type { ExcessReport, StepReport } from '../../web/session/trainingSession.ts';
import type { BackendInfo } from '../../web/worker/protocol.ts';

/** What the page records (web/page/main.ts `pretextPage`). */
export interface PageView {
  readonly steps: StepReport[];
  readonly excess: ExcessReport[];
  readonly backend: BackendInfo | undefined;
  readonly state: string;
  readonly errors: string[];
  readonly predictions: { text: string; predictions: { word: string; prob: number }[] } | undefined;
}

export const pageView = (page: Page): Promise<PageView> => page.evaluate(() => JSON.parse(JSON.stringify((globalThis as unknown as { pretextPage: unknown }).pretextPage)) as PageView);

/** Fills the settings form (seqLen is the page's fixed 20) and presses Train. */
export async function startTraining(page: Page, s: WebSettings): Promise<void> {
  await page.selectOption('select[name=objective]', s.objective);
  await page.selectOption('select[name=size]', s.size);
  for (const k of ['grammarSeed', 'seed', 'sentences', 'batchSize', 'steps', 'lr'] as const) await page.fill(`input[name=${k}]`, String(s[k]));
  await page.click('#start');
}

/** Waits until the page's run is in `state` (or failed, which throws with the page's errors). */
export async function waitForState(page: Page, state: 'training' | 'paused' | 'finished', timeout = 60_000): Promise<PageView> {
  await page.waitForFunction((want) => {
    const v = (globalThis as unknown as { pretextPage: { state: string } }).pretextPage;
    return v.state === want || v.state === 'failed';
  }, state, { timeout });
  const view = await pageView(page);
  if (view.state === 'failed') throw new Error(`the page's training failed: ${view.errors.join('; ')}`);
  return view;
}

/**
 * Starts recording gaps between animation frames while the page trains (from its first reported
 * update on): how long the main thread went without drawing. The longest few are kept.
 */
export const recordFrameGaps = (page: Page): Promise<void> => page.evaluate(() => {
  const g = globalThis as unknown as { frameGaps: { max: number; frames: number; longest: number[]; longTask: number }; pretextPage: { steps: unknown[]; state: string } };
  g.frameGaps = { max: 0, frames: 0, longest: [], longTask: 0 };
  // tasks of 50 ms or more on this thread: what blocks it (frame gaps also grow when cores are busy)
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) g.frameGaps.longTask = Math.max(g.frameGaps.longTask, e.duration);
  }).observe({ type: 'longtask' });
  let last = performance.now();
  const tick = (t: number) => {
    const training = g.pretextPage.steps.length > 0 && g.pretextPage.state === 'training';
    if (training) {
      g.frameGaps.max = Math.max(g.frameGaps.max, t - last);
      g.frameGaps.frames++;
      g.frameGaps.longest = [...g.frameGaps.longest, Math.round(t - last)].sort((a, b) => b - a).slice(0, 5);
    }
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});

export const frameGaps = (page: Page): Promise<{ max: number; frames: number; longest: number[]; longTask: number }> =>
  page.evaluate(() => (globalThis as unknown as { frameGaps: { max: number; frames: number; longest: number[]; longTask: number } }).frameGaps);
