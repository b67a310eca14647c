// The corpora module's public surface: manifest, readers, splits, dialogue pairs, loaders, generators.
export * from './types.ts';
export { CORPORA, CORPUS_NAMES, corpusEntry, isCorpusName, type CorpusEntry, type CorpusFormat, type CorpusName } from './manifest.ts';
export { verifyCorpus, sha256File, CorpusChecksumError, type VerifyResult } from './verify.ts';
export { resolveCorporaDir, repoRoot } from './paths.ts';
export { CorpusError, IssueLog, formatIssue, type DataIssue } from './errors.ts';
export { hashSplit, keyPosition, parseGumSplits, readGumSplits, upstreamSplit, DEFAULT_FRACTIONS, type SplitFractions } from './splits.ts';
export { conversationPairs, joinTurns, type PairOptions } from './dialogue.ts';
export * from './load.ts';
export { readSelfDialogue } from './readers/self-dialogue.ts';
export { readChatterbot } from './readers/chatterbot.ts';
export { readSgd } from './readers/sgd.ts';
export { readKdconv } from './readers/kdconv.ts';
export { readTatoeba, englishSide, type TatoebaOptions } from './readers/tatoeba.ts';
export { readPtb } from './readers/ptb.ts';
export { readPairsTsv, readPairsJsonl, readConversationsJsonl } from './readers/user-pairs.ts';
export { parseYamlSubset, YamlSubsetError, type YamlValue } from './yaml-subset.ts';
