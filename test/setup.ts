// Loaded before every test file: tfjs gradients and the cpu backend, which tests use unless they pick another.
import * as tf from '@tensorflow/tfjs-core';
import '../engine/tfjs-setup.ts';

await tf.setBackend('cpu');
