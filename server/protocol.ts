// The wire protocol shared (as types only) by the server and the page: socket.io event maps and the
// HTTP request/response shapes. Runtime validation of the same shapes lives in server/schemas.ts.
// It imports nothing, so the page, storage and the CLI can share it without reaching into the service.

/** What a model is for; chat models see the conversation, translate and parse models one text. */
export type ModelTask = 'chat' | 'translate' | 'parse';

export type LengthPenaltyInput =
  | { kind: 'none' }
  | { kind: 'gnmt'; alpha: number }
  | { kind: 'word-reward'; reward: number };

/**
 * Decoding options as they arrived, shape- and size-checked by the server (server/schemas.ts) and handed
 * on unchanged; the engine (engine/decoding/options.ts, whose names these are: a subset of its
 * DecodingOptionsInput) fills defaults and refuses combinations it does not implement.
 */
export interface DecodingOptionsInput {
  strategy?: 'greedy' | 'beam' | 'sample' | 'diverse-beam';
  beamSize?: number;
  nBest?: number;
  minLength?: number;
  maxLength?: number;
  lengthPenalty?: LengthPenaltyInput;
  coveragePenalty?: number;
  /** No n-gram of this size twice in a hypothesis; 0 turns it off. */
  noRepeatNgram?: number;
  blockSourceNgrams?: number;
  suppressUnk?: boolean;
  blocklist?: number[][];
  minLengthRatio?: number | null;
  maxLengthRatio?: number | null;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number | null;
  beamGroups?: number;
  diversityStrength?: number;
  /** MMI-antiLM (Li et al. 2016); null turns it off. */
  mmiAntiLm?: { lambda: number; gamma: number } | null;
  /** MMI-bidi (Li et al. 2016): the n-best reranked by score + λ·log p(message | reply); needs a backward model. */
  mmiBidi?: { lambda: number } | null;
  /** Chat models with a retrieval index: replies of the k nearest training prompts join the pool; 0 turns it off. */
  retrieved?: number;
  /** Return the attention matrix of the best hypothesis. */
  returnAttention?: boolean;
  returnNBest?: boolean;
}

export interface Hypothesis {
  text: string;
  /** The ranking score; after MMI-bidi, the forward score + λ·backwardLogProb. */
  score: number;
  /** log p(message | reply) under the backward model, when MMI-bidi reranked. */
  backwardLogProb?: number;
  /** Chat: searched for by the decoder, or a training reply retrieved for a nearby prompt. */
  origin?: 'generated' | 'retrieved';
}

/** What a model produced for one text: the core of a generation result, and what a stored reply keeps of it. */
export interface GeneratedText {
  text: string;
  /** Number of generated target tokens of the best hypothesis. */
  tokens: number;
  /** Log-probability score of the best hypothesis (after length penalty). */
  score: number;
  /** Best first; nBest[0] is the returned text. */
  nBest: Hypothesis[];
  /** [tgtLen][srcLen] attention of the best hypothesis, when the model has attention and it was asked for. */
  attention?: number[][];
  srcTokens?: string[];
  tgtTokens?: string[];
  timingMs: number;
}

/** The stable error codes clients see (server/service/errors.ts maps them to HTTP statuses). */
export type ErrorCode =
  | 'invalid_input'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'busy'
  | 'timeout'
  | 'cancelled'
  | 'shutting_down'
  | 'internal';

export type Role = 'user' | 'bot';
export type Rating = 'up' | 'down';

export interface ModelInfo {
  id: string;
  task: ModelTask;
  preset: string;
  version: string;
  bytes: number;
  parameters: number | null;
  runtime: string | null;
}

/** A bot reply as the page shows it; attention is fetched on demand (reply:details). */
export interface ReplyView {
  id: number;
  text: string;
  score: number;
  tokens: number;
  nBest: Hypothesis[];
  modelId: string;
  modelVersion: string;
  options: DecodingOptionsInput;
  timingMs: number;
  rating: Rating | null;
}

export interface MessageView {
  id: number;
  role: Role;
  text: string;
  createdAt: string;
  /** Bot messages: the id of the user message this one answers (absent on old unpaired replies). */
  replyTo?: number;
  /** Present on bot messages. */
  reply?: ReplyView;
}

export interface ReplyDetails {
  replyId: number;
  attention: number[][] | null;
  srcTokens: string[] | null;
  tgtTokens: string[] | null;
}

// ---- socket.io ----

export interface SessionResumeRequest {
  requestId: string;
  /** The token a session:state gave; left out to be issued a new session. */
  sessionId?: string;
}
export interface ChatSendRequest {
  requestId: string;
  text: string;
  model?: string;
  options?: DecodingOptionsInput;
}
export interface ChatCancelRequest {
  requestId: string;
}
export interface ConversationNewRequest {
  requestId: string;
}
export interface FeedbackRequest {
  requestId: string;
  replyId: number;
  rating: Rating;
}
export interface ReplyDetailsRequest {
  requestId: string;
  replyId: number;
}

export interface ClientToServerEvents {
  'session:resume': (request: SessionResumeRequest) => void;
  'chat:send': (request: ChatSendRequest) => void;
  'chat:cancel': (request: ChatCancelRequest) => void;
  'conversation:new': (request: ConversationNewRequest) => void;
  'feedback:send': (request: FeedbackRequest) => void;
  'reply:details': (request: ReplyDetailsRequest) => void;
}

export interface SessionState {
  requestId: string;
  /** The session's token: keep it (it is the only way back to this session) and send it to resume. */
  sessionId: string;
  conversationId: number;
  messages: MessageView[];
}

export interface ServerToClientEvents {
  'session:state': (state: SessionState) => void;
  /** The user message was stored; decoding starts. */
  'chat:accepted': (event: { requestId: string; conversationId: number; message: MessageView }) => void;
  /** The best partial reply so far (whole text, not a delta). */
  'chat:partial': (event: { requestId: string; text: string }) => void;
  'chat:reply': (event: { requestId: string; conversationId: number; message: MessageView }) => void;
  'feedback:saved': (event: { requestId: string; replyId: number; rating: Rating }) => void;
  'reply:details': (event: { requestId: string } & ReplyDetails) => void;
  'request:error': (event: RequestErrorEvent) => void;
}

export interface RequestErrorEvent {
  /** The request it answers; null when the request could not be read at all. */
  requestId: string | null;
  code: ErrorCode;
  message: string;
}

/** What the socket handshake carries in `auth`: a session token, which binds the socket when it is known. */
export interface HandshakeAuth {
  sessionId?: string;
}

// ---- HTTP ----

export interface TranslateRequest {
  model?: string;
  text?: string;
  texts?: string[];
  options?: DecodingOptionsInput;
}
export interface Translation {
  src: string;
  text: string;
  score: number;
  tokens: number;
  nBest: Hypothesis[];
  attention?: number[][];
  srcTokens?: string[];
  tgtTokens?: string[];
}
export interface TranslateResponse {
  model: string;
  modelVersion: string;
  translations: Translation[];
}

export interface ParseRequest {
  model?: string;
  text: string;
  options?: DecodingOptionsInput;
}
export interface ParseResponse {
  model: string;
  modelVersion: string;
  tree: string;
  repaired: boolean;
  score: number;
}

export interface ChatRequest {
  /** A session token from an earlier ChatResponse; left out, a new session is issued. */
  sessionId?: string;
  text: string;
  model?: string;
  options?: DecodingOptionsInput;
}
export interface ChatResponse {
  /** The session's token, to send with the next message. */
  sessionId: string;
  conversationId: number;
  message: MessageView;
}

export interface HttpError {
  error: { code: ErrorCode; message: string };
}

export interface TrainingPoint {
  step: number;
  loss?: number;
  tokensPerSecond?: number;
  learningRate?: number;
  valid?: Record<string, number>;
}
export interface ModelDetails extends ModelInfo {
  card: string;
  training: TrainingPoint[];
}

/** OpenNMT-py REST: one input of POST /translator/translate. */
export interface OpenNmtInput {
  id: number | string;
  src: string;
  n_best?: number;
  align?: boolean;
}
export interface OpenNmtOutput {
  src: string;
  tgt: string;
  n_best: number;
  pred_score: number;
  align?: string[];
}
