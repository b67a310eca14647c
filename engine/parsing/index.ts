// Constituency trees and their Vinyals et al. (2014) linearisation, for parsing as translation.
export * from './tree.ts';
export * from './linearize.ts';
export * from './tokenize.ts';
