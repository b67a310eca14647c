// Tests and benchmarks only: the server's command line with test models, for tests that need a real child
// process (kill -9 safety) and for bench/serve.ts until the engine is wired in.
import { launch } from '../server/launch.ts';
import { testFactory } from './test-model.ts';

const tickMs = Number(process.env.PARLEY_TEST_TICK_MS ?? '2');
await launch(process.argv.slice(2), testFactory(tickMs));
