import type { Command } from './command.ts';
import { trainCommand } from './commands/train.ts';
import { demoCommand } from './commands/demo.ts';
import { pcfgGrammarCommand } from './commands/pcfgGrammar.ts';
import { pcfgParseCommand } from './commands/pcfgParse.ts';
import { pcfgStatsCommand } from './commands/pcfgStats.ts';
import { pcfgTasksCommand } from './commands/pcfgTasks.ts';
import { corpusBuildCommand } from './commands/corpusBuild.ts';
import { corpusStatsCommand } from './commands/corpusStats.ts';
import { corpusVocabCommand } from './commands/corpusVocab.ts';
import { pcfgGenerateCommand } from './commands/pcfgGenerate.ts';
import { evalLossCommand } from './commands/evalLoss.ts';
import { evalProbeCommand } from './commands/evalProbe.ts';
import { evalHessianCommand } from './commands/evalHessian.ts';
import { finetuneCommand } from './commands/finetune.ts';
import { predictCommand } from './commands/predict.ts';
import { serveCommand } from './commands/serve.ts';
import { studyRunCommand } from './commands/studyRun.ts';
import { studyReportCommand } from './commands/studyReport.ts';
import { studyWorkerCommand } from './commands/studyWorker.ts';
import { studySlurmCommand } from './commands/studySlurm.ts';
import { studyTaskCommand } from './commands/studyTask.ts';

/** Every `pretext` subcommand. Each area of the project contributes its own list. */
export const commands: readonly Command[] = [
  demoCommand,
  trainCommand,
  pcfgStatsCommand,
  pcfgParseCommand,
  pcfgTasksCommand,
  pcfgGrammarCommand,
  pcfgGenerateCommand,
  corpusStatsCommand,
  corpusVocabCommand,
  corpusBuildCommand,
  evalLossCommand,
  evalProbeCommand,
  evalHessianCommand,
  finetuneCommand,
  predictCommand,
  serveCommand,
  studyRunCommand,
  studyReportCommand,
  studyWorkerCommand,
  studySlurmCommand,
  studyTaskCommand,
];
