// `npm start`: the Parley server with the models found in the models directory.
import { launch } from './launch.ts';
import { createEngineFactory } from './service/engine-factory.ts';

await launch(process.argv.slice(2), createEngineFactory());
