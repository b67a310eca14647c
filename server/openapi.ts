// The OpenAPI 3.1 description of the HTTP API, generated from the zod schemas that validate requests.
import { z } from 'zod';
import { requestSchemas } from './schemas.ts';

type SchemaId = keyof typeof requestSchemas;
const schema = (id: SchemaId) => ({ $ref: `#/components/schemas/${id}` });

/** Every request schema as an OpenAPI component; shared parts (DecodingOptions) become references. */
function components(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, s] of Object.entries(requestSchemas)) registry.add(s, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return schemas;
}
const json = (s: unknown) => ({ content: { 'application/json': { schema: s } } });
const errorShape = { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } };
const errors = {
  '400': { description: 'Invalid request; the message says why', ...json(errorShape) },
  '403': { description: 'The Host header is not one this server answers to (trusted hosts)', ...json(errorShape) },
  '404': { description: 'Unknown model or session', ...json(errorShape) },
  '413': { description: 'Body too large, or the request costs more than the work budget (--max-request-cost)', ...json(errorShape) },
  '415': { description: 'A content-encoding the server does not decode', ...json(errorShape) },
  '429': { description: 'Rate limited', ...json(errorShape) },
  '503': { description: 'Busy (queue full) or shutting down', ...json(errorShape) },
  '504': { description: 'Time limit passed', ...json(errorShape) },
};
const ok = (description: string) => ({ '200': { description, ...json({ type: 'object' }) }, ...errors });

export function openApiDocument(version: string): unknown {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley',
      version,
      description:
        'Neural seq2seq chat, translation and parsing. Socket.io events for streaming chat are typed in server/protocol.ts.',
    },
    components: { schemas: components() },
    paths: {
      '/health': { get: { summary: 'Liveness', responses: { '200': { description: '{"status":"ok"}' } } } },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics; needs Authorization: Bearer <metrics or admin token> (or use the separate metrics port)',
          responses: { '200': { description: 'text exposition format' }, '401': { description: 'Missing or wrong token' }, '404': { description: 'No token configured' } },
        },
      },
      '/api/models': { get: { summary: 'Loaded models with task, preset and size', responses: ok('models') } },
      '/api/models/{id}': {
        get: {
          summary: 'One model with its card and training curve points',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: ok('model details'),
        },
      },
      '/api/translate': { post: { summary: 'Translate one text or several', requestBody: json(schema('TranslateRequest')), responses: ok('translations') } },
      '/api/parse': { post: { summary: 'Parse a sentence to a bracketed tree', requestBody: json(schema('ParseRequest')), responses: ok('tree') } },
      '/api/chat': { post: { summary: 'One chat turn, for clients without websockets', requestBody: json(schema('ChatRequest')), responses: ok('reply') } },
      '/translator/translate': {
        post: {
          summary: 'OpenNMT-py REST compatible translation: a list per n-best rank of {src,tgt,n_best,pred_score[,align]}',
          requestBody: json(schema('OpenNmtRequest')),
          responses: { '200': { description: 'results per n-best rank' }, '400': { description: '{"status":"error","error":"..."}' } },
        },
      },
      '/translator/models': { get: { summary: 'OpenNMT-py compatible model list', responses: { '200': { description: 'models' } } } },
      '/admin/reload': {
        post: {
          summary: 'Reload changed models (or the named ones); needs Authorization: Bearer <admin token>',
          requestBody: json(schema('ReloadRequest')),
          responses: { ...ok('reloaded ids'), '401': { description: 'Missing or wrong token' } },
        },
      },
    },
  };
}
