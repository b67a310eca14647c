// Perplexity from a summed token negative log-likelihood (natural log): exp(total NLL / tokens).

export function perplexity(totalNll: number, tokenCount: number): number {
  if (!(tokenCount > 0)) throw new Error(`perplexity: token count must be positive, got ${tokenCount}`);
  if (!Number.isFinite(totalNll) || totalNll < 0) throw new Error(`perplexity: total NLL must be finite and >= 0, got ${totalNll}`);
  return Math.exp(totalNll / tokenCount);
}

/** Accumulates NLL over batches so validation never has to hold per-token losses. */
export class PerplexityMeter {
  private nll = 0;
  private tokens = 0;

  add(batchNll: number, batchTokens: number): void {
    if (!Number.isFinite(batchNll) || batchNll < 0 || !(batchTokens >= 0)) {
      throw new Error(`PerplexityMeter.add: bad batch (nll ${batchNll}, tokens ${batchTokens})`);
    }
    this.nll += batchNll;
    this.tokens += batchTokens;
  }

  get tokenCount(): number {
    return this.tokens;
  }

  get meanNll(): number {
    return this.tokens === 0 ? NaN : this.nll / this.tokens;
  }

  value(): number {
    return perplexity(this.nll, this.tokens);
  }
}
