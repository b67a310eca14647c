// Loaded before every test file: tfjs gradients and the cpu backend. Test files that need another
// backend call initBackend themselves (it has not been called yet when they start).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerCoreGradients } from '../engine/kernels/core-gradients.ts';

await registerCoreGradients();
await tf.setBackend('cpu');
