// Evaluation metrics used by validation and `parley eval`.
export { corpusBleu, corpusBleuFromLines, spaceTokens, type BleuOptions, type BleuResult } from './bleu.ts';
export { evalb, sentenceBrackets, type BracketScore } from './evalb.ts';
export { parseReport, tagAccuracy, SHORT_SENTENCE_WORDS, type ParseReport } from './parse-report.ts';
export { distinctN, distinct12 } from './distinct.ts';
export { perplexity, PerplexityMeter } from './perplexity.ts';
export { corpusChrf, type ChrfOptions, type ChrfResult } from './chrf.ts';
export { fsum } from './fsum.ts';
export { replyStats, type ReplyStats } from './replies.ts';
export { drawDistractors, hitsAt1 } from './hits.ts';
export { mentions, usesContext, type ContextJudge } from './mentions.ts';
