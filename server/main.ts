// `npm start`: the Parley server with the models found in the models directory.
import { launch } from './launch.ts';
import { engineFactory } from './service/engine-factory.ts';

await launch(process.argv.slice(2), engineFactory);
