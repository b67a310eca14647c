// A retrieved candidate pool's store: the training prompts' sentence embeddings in an HNSW index
// (hnswlib, cosine; Malkov & Yashunin 2016) beside the replies they were answered with, in a model
// directory's retrieval/ folder, so the k nearest prompts' replies can join a generated n-best.
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { writeFileAtomic } from '../checkpoint/atomic.ts';

export const RETRIEVAL_DIR = 'retrieval';
const INDEX_FILE = 'prompts.hnsw';
const REPLIES_FILE = 'replies.json';

export interface IndexedReply {
  /** The reply given to the indexed prompt. */
  text: string;
  /** Where the pair came from (corpus name and position). */
  source: string;
}

export interface RetrievedReply extends IndexedReply {
  /** Cosine distance between the query and the reply's prompt (0: the same direction). */
  distance: number;
}

interface RepliesFile {
  dim: number;
  embedding: 'encoder-final-state';
  replies: IndexedReply[];
}

export class ReplyIndex {
  private constructor(private readonly index: hnswlib.HierarchicalNSW, readonly dim: number, readonly replies: readonly IndexedReply[]) {}

  static build(vectors: readonly Float32Array[], replies: readonly IndexedReply[]): ReplyIndex {
    if (vectors.length !== replies.length) throw new Error(`${vectors.length} prompt vectors for ${replies.length} replies`);
    if (vectors.length === 0) throw new Error('no prompts to index');
    const dim = vectors[0]!.length;
    const index = new hnswlib.HierarchicalNSW('cosine', dim);
    index.initIndex(vectors.length);
    vectors.forEach((v, i) => index.addPoint(Array.from(v), i));
    return new ReplyIndex(index, dim, replies);
  }

  /** The index a model directory holds, or null when it has none. */
  static load(modelDir: string): ReplyIndex | null {
    const dir = path.join(modelDir, RETRIEVAL_DIR);
    if (!existsSync(path.join(dir, REPLIES_FILE))) return null;
    const file = JSON.parse(readFileSync(path.join(dir, REPLIES_FILE), 'utf8')) as RepliesFile;
    const index = new hnswlib.HierarchicalNSW('cosine', file.dim);
    index.readIndexSync(path.join(dir, INDEX_FILE));
    if (index.getCurrentCount() !== file.replies.length) {
      throw new Error(`${dir}: the index holds ${index.getCurrentCount()} prompts, ${REPLIES_FILE} ${file.replies.length} replies`);
    }
    return new ReplyIndex(index, file.dim, file.replies);
  }

  save(modelDir: string): void {
    const dir = path.join(modelDir, RETRIEVAL_DIR);
    mkdirSync(dir, { recursive: true });
    // Written beside and renamed over, so a server loading the directory never reads half an index.
    const tmp = path.join(dir, `${INDEX_FILE}.${process.pid}.tmp`);
    this.index.writeIndexSync(tmp);
    renameSync(tmp, path.join(dir, INDEX_FILE));
    const file: RepliesFile = { dim: this.dim, embedding: 'encoder-final-state', replies: [...this.replies] };
    writeFileAtomic(path.join(dir, REPLIES_FILE), `${JSON.stringify(file)}\n`);
  }

  /** The replies of the k prompts nearest to `vector`, nearest first. */
  nearest(vector: Float32Array, k: number): RetrievedReply[] {
    const n = Math.min(k, this.replies.length);
    if (n <= 0) return [];
    const { neighbors, distances } = this.index.searchKnn(Array.from(vector), n);
    return neighbors.map((id, i) => ({ ...this.replies[id]!, distance: distances[i]! }));
  }
}
