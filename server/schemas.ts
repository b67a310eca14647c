// The one schema source (zod 4) for every request the server accepts: HTTP bodies and socket payloads
// are validated here, and the OpenAPI description (server/openapi.ts) is generated from the same objects.
import { z } from 'zod';
import { decodingOptionFields, type DecodingLimits } from '../engine/index.ts';
import type * as P from './protocol.ts';

export const limits = {
  /** Characters of one message or text after cleaning. */
  maxTextChars: 2000,
  maxTexts: 32,
  maxTurns: 20,
};

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only');
const text = z.string().max(limits.maxTextChars * 2);

/** What a request may ask of the decoder: tighter than what the engine can run (engineDecodingLimits). */
export const requestDecodingLimits: DecodingLimits = {
  maxBeam: 32,
  maxLength: 512,
  maxLengthRatio: 10,
  maxNgram: 16,
  maxTopK: 100_000,
  maxBlocked: 64,
  maxBlockedTokens: 16,
  maxTokenId: 1_000_000,
};

// The engine's option fields under the request limits. treeConstraint is left out: the parse pipeline
// sets it from its vocabulary. retrieved is the server's own (the chat model's retrieved pool).
const { treeConstraint: _setByTheParser, returnAttention, returnNBest, ...searchFields } = decodingOptionFields(requestDecodingLimits);
export const decodingOptionsSchema = z
  .strictObject({ ...searchFields, retrieved: z.int().min(0).max(32), returnAttention, returnNBest })
  .partial();

export const translateRequestSchema = z
  .object({
    model: id.optional(),
    text: text.optional(),
    texts: z.array(text).min(1).max(limits.maxTexts).optional(),
    options: decodingOptionsSchema.optional(),
  })
  .strict()
  .refine((r) => (r.text === undefined) !== (r.texts === undefined), 'give exactly one of "text" or "texts"');

export const parseRequestSchema = z
  .object({ model: id.optional(), text, options: decodingOptionsSchema.optional() })
  .strict();

export const chatRequestSchema = z
  .object({ sessionId: id.optional(), text, model: id.optional(), options: decodingOptionsSchema.optional() })
  .strict();

export const reloadRequestSchema = z
  .object({ models: z.array(id).max(64).optional(), force: z.boolean().optional() })
  .strict();

export const openNmtRequestSchema = z
  .array(
    z
      .object({
        id: z.union([z.int().min(0), id]),
        src: text,
        n_best: z.int().min(1).max(32).optional(),
        align: z.boolean().optional(),
      })
      .strict(),
  )
  .min(1)
  .max(limits.maxTexts);

export const requestSchemas = {
  DecodingOptions: decodingOptionsSchema,
  TranslateRequest: translateRequestSchema,
  ParseRequest: parseRequestSchema,
  ChatRequest: chatRequestSchema,
  ReloadRequest: reloadRequestSchema,
  OpenNmtRequest: openNmtRequestSchema,
};

const requestId = z.string().min(1).max(64);

export const socketSchemas = {
  'session:resume': z.object({ requestId, sessionId: id.optional() }).strict(),
  'chat:send': z
    .object({ requestId, text, model: id.optional(), options: decodingOptionsSchema.optional() })
    .strict(),
  'chat:cancel': z.object({ requestId }).strict(),
  'conversation:new': z.object({ requestId }).strict(),
  'feedback:send': z.object({ requestId, replyId: z.int().min(1), rating: z.enum(['up', 'down']) }).strict(),
  'reply:details': z.object({ requestId, replyId: z.int().min(1) }).strict(),
} satisfies { [K in keyof P.ClientToServerEvents]: z.ZodType<Parameters<P.ClientToServerEvents[K]>[0]> };

/** Parses `value` or returns a one-line reason naming the offending fields. */
export function check<T>(schema: z.ZodType<T>, value: unknown): { ok: true; value: T } | { ok: false; reason: string } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const reason = result.error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  return { ok: false, reason };
}

// The protocol types and the schemas must agree; these fail to compile when they drift.
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agreements: [
  Agree<z.infer<typeof decodingOptionsSchema>, P.DecodingOptionsInput>,
  Agree<z.infer<typeof translateRequestSchema>, P.TranslateRequest>,
  Agree<z.infer<typeof parseRequestSchema>, P.ParseRequest>,
  Agree<z.infer<typeof chatRequestSchema>, P.ChatRequest>,
  Agree<z.infer<typeof openNmtRequestSchema>[number], P.OpenNmtInput>,
] = [true, true, true, true, true];
void agreements;
