// The HTTP API (express 5): health, models, translate, parse, chat without websockets, the OpenNMT-py
// compatible routes, the OpenAPI description, metrics, the admin reload route and the page itself.
import { setMaxListeners } from 'node:events';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { z } from 'zod';
import { clientError } from './client-errors.ts';
import type { AppContext } from './context.ts';
import { requireBearer } from './metrics-http.ts';
import { openApiDocument } from './openapi.ts';
import { openNmtRouter } from './opennmt.ts';
import type { ChatResponse, ModelDetails, ParseResponse, TranslateResponse } from './protocol.ts';
import { chatRequestSchema, check, parseRequestSchema, reloadRequestSchema, translateRequestSchema } from './schemas.ts';
import { ServiceError, toServiceError } from './service/errors.ts';
import { assertUtf8, cleanText } from './service/text-input.ts';
import { readTrainingLog } from './service/training-log.ts';

type Handler = (req: Request, res: Response) => Promise<void> | void;

function body<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = check(schema, value);
  if (!parsed.ok) throw new ServiceError('invalid_input', parsed.reason);
  return parsed.value;
}

function abortOnClose(res: Response): AbortSignal {
  const controller = new AbortController();
  // One listener per text of the request (up to limits.maxTexts), each removed when its text is done.
  setMaxListeners(0, controller.signal);
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

export function httpApp(ctx: AppContext, web: express.Router): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Before anything answers: a request for a name this server does not go by is a rebinding attempt.
  app.use((req, _res, next) => {
    next(ctx.trustedHost(req.headers.host) ? undefined : new ServiceError('forbidden', 'this server does not answer to that Host (see --trusted-host)'));
  });
  // No upgrade-insecure-requests: the server is often reached over plain HTTP on a LAN address.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      ctx.logger.info({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'http');
    });
    next();
  });
  app.use(express.json({ limit: ctx.limits.maxBodyBytes, verify: (_req, _res, buf) => assertUtf8(buf) }));

  const clean = (text: string): string => {
    const c = cleanText(text, ctx.limits.maxTextChars);
    if (!c.ok) throw new ServiceError('invalid_input', c.reason);
    return c.text;
  };
  /** Charges the client's address one request per text. */
  const limited = (req: Request, texts = 1): void => {
    if (!ctx.perIp.take(req.ip ?? 'unknown', texts)) throw new ServiceError('rate_limited', 'too many requests from this address, slow down');
  };
  const route = (fn: Handler) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      await fn(req, res);
    } catch (error) {
      next(error);
    }
  };

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/metrics', route(async (req, res) => {
    requireBearer(req.get('authorization'), [ctx.metricsToken, ctx.adminToken], 'metrics on this port');
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  }));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(ctx.version));
  });

  app.get('/api/models', (_req, res) => {
    res.json({ models: ctx.loader.list() });
  });
  app.get('/api/models/:id', (req, res) => {
    const summary = ctx.loader.list().find((m) => m.id === req.params.id);
    const model = ctx.loader.get(req.params.id);
    if (!summary || !model) throw new ServiceError('not_found', `model "${req.params.id}" is not loaded`);
    const details: ModelDetails = { ...summary, card: model.card, training: readTrainingLog(model.trainingLogPath) };
    res.json(details);
  });

  app.post('/api/translate', route(async (req, res) => {
    const r = body(translateRequestSchema, req.body);
    limited(req, r.texts?.length ?? 1);
    const texts = (r.texts ?? [r.text!]).map(clean);
    const model = ctx.generation.resolve('translate', r.model);
    const signal = abortOnClose(res);
    const options = r.options ?? {};
    const { planned } = ctx.generation.checkCost('translate', texts.map((text) => ({ model: model.id, inputs: [text], options })));
    const done = await Promise.all(
      texts.map((text, i) =>
        ctx.generation.generate({ task: 'translate', model: model.id, inputs: [text], options, planned: planned[i], signal, route: 'POST /api/translate', client: req.ip }),
      ),
    );
    const out: TranslateResponse = {
      model: model.id,
      modelVersion: done[0]!.model.version,
      translations: done.map(({ result }, i) => ({
        src: texts[i]!,
        text: result.text,
        score: result.score,
        tokens: result.tokens,
        nBest: result.nBest,
        ...(options.returnAttention && result.attention && { attention: result.attention, srcTokens: result.srcTokens, tgtTokens: result.tgtTokens }),
      })),
    };
    res.json(out);
  }));

  app.post('/api/parse', route(async (req, res) => {
    limited(req);
    const r = body(parseRequestSchema, req.body);
    const text = clean(r.text);
    const { model, result } = await ctx.generation.generate({
      task: 'parse',
      model: r.model,
      inputs: [text],
      options: r.options ?? {},
      signal: abortOnClose(res),
      route: 'POST /api/parse',
      client: req.ip,
    });
    const out: ParseResponse = { model: model.id, modelVersion: model.version, tree: result.text, repaired: result.repaired ?? false, score: result.score };
    res.json(out);
  }));

  app.post('/api/chat', route(async (req, res) => {
    limited(req);
    const r = body(chatRequestSchema, req.body);
    const text = clean(r.text);
    const { token, sessionId } = r.sessionId === undefined ? ctx.sessions.issue(req.ip ?? 'unknown') : { token: r.sessionId, sessionId: ctx.sessions.require(r.sessionId) };
    if (!ctx.perSession.take(sessionId)) throw new ServiceError('rate_limited', 'too many messages in this session, slow down');
    const turn = await ctx.chat.send({
      sessionId,
      text,
      model: r.model,
      options: r.options ?? {},
      signal: abortOnClose(res),
      route: 'POST /api/chat',
      client: req.ip,
    });
    const out: ChatResponse = { sessionId: token, conversationId: turn.conversationId, message: turn.bot };
    res.json(out);
  }));

  app.post('/admin/reload', route(async (req, res) => {
    requireBearer(req.get('authorization'), [ctx.adminToken], 'admin routes');
    const r = body(reloadRequestSchema, req.body ?? {});
    const reloaded = await ctx.loader.reload(r.models, r.force ?? r.models !== undefined);
    res.json({ reloaded, models: ctx.loader.list() });
  }));

  app.use('/translator', openNmtRouter(ctx));
  app.use(web);

  app.use((req, _res, next) => {
    next(new ServiceError('not_found', `no route ${req.method} ${req.path}`));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = clientError(error, req) ?? toServiceError(error);
    if (e.code === 'internal') ctx.logger.error({ err: error, url: req.originalUrl }, 'request failed');
    const matched = (req.route as { path?: string } | undefined)?.path;
    ctx.metrics.requests.inc({ route: matched ? `${req.method} ${matched}` : 'unmatched', outcome: e.code });
    if (req.path.startsWith('/translator/')) res.status(e.status).json({ status: 'error', error: e.message });
    else res.status(e.status).json({ error: { code: e.code, message: e.message } });
  });
  return app;
}
