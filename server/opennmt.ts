// OpenNMT-py REST server compatibility (onmt/bin/server.py), so existing clients work unchanged.
// Model ids: a number N names the N-th translate model of GET /translator/models, from 0: the default
// (models/defaults.json) first, then by directory name; a string names the model directory. Errors
// are {"status":"error","error":"..."}.
import { setMaxListeners } from 'node:events';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { clientError } from './client-errors.ts';
import type { AppContext } from './context.ts';
import type { OpenNmtOutput } from './protocol.ts';
import { check, openNmtRequestSchema } from './schemas.ts';
import { ServiceError, toServiceError } from './service/errors.ts';
import { cleanText } from './service/text-input.ts';

/** Pharaoh alignment "src-tgt ..." from attention: each target token to its most attended source token. */
export function pharaoh(attention: number[][]): string {
  return attention
    .map((row, t) => `${row.reduce((best, v, s) => (v > row[best]! ? s : best), 0)}-${t}`)
    .join(' ');
}

export function openNmtRouter(ctx: AppContext): Router {
  const router = express.Router();
  const translateModels = () => ctx.loader.list().filter((m) => m.task === 'translate');

  router.get('/models', (_req, res) => {
    res.json(
      translateModels().map((m, i) => ({
        model_id: i,
        name: m.id,
        opt: { preset: m.preset, version: m.version },
        loaded: true,
        timeout: -1,
      })),
    );
  });

  router.post('/translate', async (req, res, next) => {
    try {
      const parsed = check(openNmtRequestSchema, req.body);
      if (!parsed.ok) throw new ServiceError('invalid_input', parsed.reason);
      const inputs = parsed.value;
      if (!ctx.perIp.take(req.ip ?? 'unknown', inputs.length)) throw new ServiceError('rate_limited', 'too many requests from this address');
      const nBest = inputs[0]!.n_best ?? 1;
      if (inputs.some((i) => (i.n_best ?? 1) !== nBest)) throw new ServiceError('invalid_input', 'all inputs must ask for the same n_best');
      const models = translateModels();
      const jobs = inputs.map((input) => {
        const id = typeof input.id === 'number' ? models[input.id]?.id : input.id;
        if (id === undefined) throw new ServiceError('not_found', `no model with id ${input.id}`);
        const src = cleanText(input.src, ctx.limits.maxTextChars);
        if (!src.ok) throw new ServiceError('invalid_input', src.reason);
        return { id, src: src.text, raw: input.src, align: input.align === true };
      });
      const optionsOf = (j: (typeof jobs)[number]) => ({
        ...(nBest > 1 && { nBest, beamSize: Math.max(nBest, 5), returnNBest: true }),
        ...(j.align && { returnAttention: true }),
      });
      const { planned } = ctx.generation.checkCost('translate', jobs.map((j) => ({ model: j.id, inputs: [j.src], options: optionsOf(j) })));
      const controller = new AbortController();
      setMaxListeners(0, controller.signal); // one listener per input, each removed when it is done
      res.on('close', () => controller.abort());
      const results = await Promise.all(
        jobs.map((j, i) =>
          ctx.generation.generate({
            task: 'translate',
            model: j.id,
            inputs: [j.src],
            options: optionsOf(j),
            planned: planned[i],
            signal: controller.signal,
            route: 'POST /translator/translate',
            client: req.ip,
          }),
        ),
      );
      const out: OpenNmtOutput[][] = Array.from({ length: nBest }, () => []);
      results.forEach(({ result }, i) => {
        for (let rank = 0; rank < nBest; rank++) {
          const hyp = result.nBest[rank] ?? { text: '', score: -Infinity };
          const item: OpenNmtOutput = { src: jobs[i]!.raw, tgt: hyp.text, n_best: nBest, pred_score: hyp.score };
          if (jobs[i]!.align && rank === 0 && result.attention) item.align = [pharaoh(result.attention)];
          out[rank]!.push(item);
        }
      });
      res.json(out);
    } catch (error) {
      next(error);
    }
  });

  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = clientError(error, req) ?? toServiceError(error);
    if (e.code === 'internal') ctx.logger.error({ err: error }, 'opennmt route failed');
    ctx.metrics.requests.inc({ route: 'POST /translator/translate', outcome: e.code });
    res.status(e.status).json({ status: 'error', error: e.message });
  });
  return router;
}
