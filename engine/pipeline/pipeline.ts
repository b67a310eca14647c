// A servable model: a model directory (config.json + weights + tokenizer.model, or source.model and
// target.model with per-side vocabularies) loaded with its task conventions, so callers pass text and
// get text (or trees) back. Used by eval, decode and the server.
import path from 'node:path';
import { loadModel, readModelConfig } from '../checkpoint/model-dir.ts';
import { sourceVocabSize, type ModelConfig } from '../config.ts';
import { decode, type DecodeContext } from '../decoding/decode.ts';
import type { DecodeResult } from '../decoding/results.ts';
import type { Seq2Seq } from '../models/seq2seq.ts';
import type { StepModel } from '../decoding/step-model.ts';
import { TfjsStepModel } from '../models/tfjs-step-model.ts';
import { Tokenizer } from '../tokenizer/subword.ts';
import { TaskCodec, type ParseOutput, type PipelineInput, type PipelineOutput } from './codec.ts';
import { pipelineMeta, taskDecodingDefaults, type PipelineMeta, type PipelineTask } from './task.ts';

export interface PipelineRun {
  output: PipelineOutput;
  result: DecodeResult;
}

/** One tokenizer per side (per-side vocabularies); a joint vocabulary passes one Tokenizer for both. */
export interface SideTokenizers {
  source: Tokenizer;
  target: Tokenizer;
}

export class Pipeline {
  readonly stepModel: TfjsStepModel;
  readonly codec: TaskCodec;
  /** The target side's tokenizer (outputs), the only one with a joint vocabulary. */
  readonly tokenizer: Tokenizer;
  /** The source side's tokenizer (inputs). */
  readonly sourceTokenizer: Tokenizer;

  constructor(
    readonly dir: string | null,
    readonly model: Seq2Seq,
    readonly meta: PipelineMeta,
    tokenizers: Tokenizer | SideTokenizers,
  ) {
    const { source, target } = tokenizers instanceof Tokenizer ? { source: tokenizers, target: tokenizers } : tokenizers;
    const config = model.config;
    if (target.vocabSize !== config.vocabSize) {
      throw new Error(`${target.source}: ${target.vocabSize} pieces, but the model has a ${source === target ? '' : 'target '}vocabulary of ${config.vocabSize}`);
    }
    if (source.vocabSize !== sourceVocabSize(config)) {
      throw new Error(`${source.source}: ${source.vocabSize} pieces, but the model has a source vocabulary of ${sourceVocabSize(config)}`);
    }
    this.tokenizer = target;
    this.sourceTokenizer = source;
    this.stepModel = new TfjsStepModel(model);
    this.codec = new TaskCodec({
      task: meta.pipelineTask,
      tokenizer: target,
      sourceTokenizer: source,
      ...(meta.contextTurns === undefined ? {} : { contextTurns: meta.contextTurns }),
      ...(meta.posTags === undefined ? {} : { posTags: meta.posTags }),
    });
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

  /**
   * Decode inputs together (one batch) with untrusted decoding options; outputs in input order.
   * `stepModel`: another StepModel of the same weights to decode on (parley train's validation decodes
   * on ONNX Runtime graphs built from the current weights, ~4–7× faster than the tfjs model).
   */
  async run(inputs: readonly PipelineInput[], options?: unknown, context: DecodeContext & { stepModel?: StepModel<unknown> } = {}): Promise<PipelineRun[]> {
    if (inputs.length === 0) return [];
    const { stepModel = this.stepModel, ...decodeContext } = context;
    const requests = inputs.map((input) => ({ source: this.encodeInput(input), options: this.withTreeConstraint(input, options) }));
    const detokenize = this.task === 'parse' ? undefined : (ids: number[]) => this.tokenizer.decode(ids);
    const results = await decode(stepModel, requests, { ...(detokenize ? { detokenize } : {}), ...decodeContext });
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
  const target = await Tokenizer.load(path.join(dir, meta.tokenizer));
  const source = meta.sourceTokenizer === undefined ? target : await Tokenizer.load(path.join(dir, meta.sourceTokenizer));
  const { model } = loadModel(dir);
  try {
    return new Pipeline(dir, model, meta, { source, target });
  } catch (e) {
    model.dispose();
    throw e;
  }
}
