// Side effects every engine entry point needs: gradient definitions (tfjs-core ships them separately)
// and the pure-JS cpu backend, always available as the last fallback.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
