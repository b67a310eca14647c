// A servable model: a model directory (config.json + weights + tokenizer.model) loaded with its task
// conventions, so callers pass text and get text (or trees) back. Used by eval, decode and the server.
import path from 'node:path';
import { loadModel, readModelConfig } from '../checkpoint/model-dir.ts';
import type { ModelConfig } from '../config.ts';
import { decode, type DecodeContext } from '../decoding/decode.ts';
import type { DecodeResult } from '../decoding/results.ts';
import type { Seq2Seq } from '../models/seq2seq.ts';
import { TfjsStepModel } from '../models/tfjs-step-model.ts';
import { Tokenizer } from '../tokenizer/subword.ts';
import { TaskCodec, type ParseOutput, type PipelineInput, type PipelineOutput } from './codec.ts';
import { pipelineMeta, taskDecodingDefaults, type PipelineMeta, type PipelineTask } from './task.ts';

export interface PipelineRun {
  output: PipelineOutput;
  result: DecodeResult;
}

export class Pipeline {
  readonly stepModel: TfjsStepModel;
  readonly codec: TaskCodec;

  constructor(
    readonly dir: string | null,
    readonly model: Seq2Seq,
    readonly meta: PipelineMeta,
    readonly tokenizer: Tokenizer,
  ) {
    if (tokenizer.vocabSize !== model.config.vocabSize) {
      throw new Error(`${tokenizer.source}: ${tokenizer.vocabSize} pieces, but the model has a vocabulary of ${model.config.vocabSize}`);
    }
    this.stepModel = new TfjsStepModel(model);
    this.codec = new TaskCodec({ task: meta.pipelineTask, tokenizer, ...(meta.contextTurns === undefined ? {} : { contextTurns: meta.contextTurns }) });
  }

  get config(): ModelConfig {
    return this.model.config;
  }

  get task(): PipelineTask {
    return this.meta.pipelineTask;
  }

  /** The task's and then the model's own decoding defaults (config.json `decoding`); a request's options go on top. */
  get decodingDefaults(): Record<string, unknown> {
    return { ...taskDecodingDefaults(this.task), ...(this.meta.decoding ?? {}) };
  }

  /**
   * Parse models decode under the well-formed-tree constraint for the input, unless the options say
   * `treeConstraint: null` (to measure how often the unconstrained model needs its output repaired).
   */
  withTreeConstraint(input: PipelineInput, options: unknown): unknown {
    if (this.task !== 'parse') return options;
    if (options !== null && typeof options === 'object' && 'treeConstraint' in options) return options;
    const treeConstraint = this.codec.treeConstraint(input);
    return treeConstraint === null ? options : { ...((options as object | undefined) ?? {}), treeConstraint };
  }

  encodeInput(input: PipelineInput): number[] {
    return this.codec.encodeInput(input);
  }

  decodeOutput(ids: readonly number[], input: PipelineInput): PipelineOutput {
    return this.codec.decodeOutput(ids, input);
  }

  /** Decode inputs together (one batch) with untrusted decoding options; outputs in input order. */
  async run(inputs: readonly PipelineInput[], options?: unknown, context: DecodeContext = {}): Promise<PipelineRun[]> {
    if (inputs.length === 0) return [];
    const requests = inputs.map((input) => ({ source: this.encodeInput(input), options: this.withTreeConstraint(input, options) }));
    const detokenize = this.task === 'parse' ? undefined : (ids: number[]) => this.tokenizer.decode(ids);
    const results = await decode(this.stepModel, requests, { ...(detokenize ? { detokenize } : {}), ...context });
    return results.map((result, i) => ({ result, output: this.decodeOutput(result.tokens, inputs[i]!) }));
  }

  async translate(texts: readonly string[], options?: unknown): Promise<string[]> {
    this.expect(['translate', 'copy', 'reverse', 'sort']);
    return (await this.run(texts, options)).map((r) => r.output as string);
  }

  /** One reply per conversation (each a list of turns, the message last). */
  async respond(conversations: readonly (readonly string[])[], options?: unknown): Promise<string[]> {
    this.expect(['chat']);
    return (await this.run(conversations, options)).map((r) => r.output as string);
  }

  async parse(sentences: readonly PipelineInput[], options?: unknown): Promise<ParseOutput[]> {
    this.expect(['parse']);
    return (await this.run(sentences, options)).map((r) => r.output as ParseOutput);
  }

  dispose(): void {
    this.model.dispose();
  }

  private expect(tasks: readonly PipelineTask[]): void {
    if (!tasks.includes(this.task)) throw new Error(`this model does the ${this.task} task, not ${tasks.join('/')}`);
  }
}

/** Load a model directory the trainer wrote; throws naming the file when anything is missing or off. */
export async function loadPipeline(dir: string): Promise<Pipeline> {
  const { meta: rawMeta } = readModelConfig(dir);
  const meta = pipelineMeta(rawMeta, path.join(dir, 'config.json'));
  const tokenizer = await Tokenizer.load(path.join(dir, meta.tokenizer));
  const { model } = loadModel(dir);
  try {
    return new Pipeline(dir, model, meta, tokenizer);
  } catch (e) {
    model.dispose();
    throw e;
  }
}
