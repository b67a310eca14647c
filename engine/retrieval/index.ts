// The retrieved candidate pool: sentence embeddings from a model's encoder and their HNSW index.
export { embedSources } from './embed.ts';
export { ReplyIndex, RETRIEVAL_DIR, type IndexedReply, type RetrievedReply } from './reply-index.ts';
export { rankPool, type CandidateOrigin, type PoolCandidate, type PoolJob } from './pool.ts';
