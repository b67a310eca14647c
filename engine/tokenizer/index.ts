// The tokenizer package's public surface: training BPE and unigram SentencePiece models, reading and
// writing model files, and the typed Tokenizer over sentencepiece-js.
export { Tokenizer, type EncodeOptions, type TokenizerLoadOptions, type TokenizerSpecialIds, type UserSymbolMode } from './subword.ts';
export { trainSubwordModel, vocabListing, type SubwordModelType, type TrainOptions, type TrainResult } from './train-model.ts';
export { encodeModelProto, decodeModelProto, ModelType, PieceType, type ModelProto, type SentencePiece } from './model-proto.ts';
export { SPECIAL_IDS, SPECIAL_PIECES } from './special-tokens.ts';
