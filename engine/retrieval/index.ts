// The retrieved candidate pool: sentence embeddings from a model's encoder and their HNSW index; and a
// chat reply as served (the forward n-best, the pool, MMI-bidi), shared by the server and the evaluation.
export { embedSources } from './embed.ts';
export { ReplyIndex, RETRIEVAL_DIR, type IndexedReply, type RetrievedReply } from './reply-index.ts';
export { rankPool, type CandidateOrigin, type PoolCandidate, type PoolJob } from './pool.ts';
export { defaultRetrieved, MAX_RETRIEVED, planReply, rankReplies, respond, type RankedReply, type RankJob, type ReplyModels, type ReplyPlan, type RespondJob } from './respond.ts';
