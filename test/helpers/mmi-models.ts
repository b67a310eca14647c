// The tiny chat models of the MMI and retrieval tests live in testkit/ (benchmarks use them too).
export * from '../../testkit/chat-models.ts';
