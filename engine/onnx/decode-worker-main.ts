// The worker-thread side of OrtDecodeWorker: one OrtStepModel and one DecodeScheduler (continuous
// batching), so session.run blocks this thread and never the server's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { DecodeScheduler } from '../decoding/scheduler.ts';
import type { OnnxGraphs } from './export-graphs.ts';
import { loadOrtStepModel } from './model-files.ts';
import { OrtStepModel } from './ort-step-model.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './decode-worker-protocol.ts';

const port = parentPort!;
const init = workerData as WorkerInit;

async function start(): Promise<void> {
  const model =
    'modelDir' in init.source
      ? await loadOrtStepModel(init.source.modelDir, init.session)
      : await OrtStepModel.create(init.source.graphs as OnnxGraphs, init.source.specials, init.session);
  const scheduler = new DecodeScheduler(model, init.scheduler);
  const controllers = new Map<number, AbortController>();
  const reply = (m: WorkerReply) => port.postMessage(m);
  port.on('message', (m: WorkerRequest) => {
    if (m.type === 'cancel') return void controllers.get(m.id)?.abort();
    if (m.type === 'close') {
      void scheduler.close().then(() => model.dispose()).then(() => reply({ type: 'closed' }));
      return;
    }
    const controller = new AbortController();
    controllers.set(m.id, controller);
    const onPartial = m.partials ? (partial: unknown) => reply({ type: 'partial', id: m.id, partial }) : undefined;
    scheduler
      .submit({ ...m.request, signal: controller.signal, onPartial })
      .then(
        (result) => reply({ type: 'result', id: m.id, result }),
        (e: Error & { code?: string }) => reply({ type: 'error', id: m.id, error: { name: e.name, message: e.message, code: e.code } }),
      )
      .finally(() => controllers.delete(m.id));
  });
  reply({ type: 'ready' });
}

start().catch((e: Error) => port.postMessage({ type: 'failed', error: { name: e.name, message: e.message } } satisfies WorkerReply));
