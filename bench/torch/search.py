"""Greedy and beam decoding with Parley's rules (engine/decoding/independent.ts, beam.ts, blocking.ts,
search.ts): pad and BOS never produced, EOS banned before min_length tokens, at most
min(max_length, max(1, ceil(ratio · source tokens))) tokens, then the row ends (its EOS log-probability
added). Beam search as fairseq: 2k candidates per step, an EOS counts only among the top k, the search
stops once k hypotheses have finished; optional GNMT length normalisation ((5 + |Y|) / 6)^α with |Y|
counting EOS."""
import math

import torch


def length_bounds(n_source, rules):
    """Output tokens (EOS excluded) allowed for a source of n_source ids (EOS not counted)."""
    top = rules["maxLength"]
    if rules.get("maxLengthRatio") is not None:
        top = min(top, max(1, math.ceil(rules["maxLengthRatio"] * n_source)))
    return min(rules.get("minLength", 1), top), top


def banned(logp, specials, length, min_length):
    logp[:, specials["pad"]] = -math.inf
    logp[:, specials["bos"]] = -math.inf
    if length < min_length:
        logp[:, specials["eos"]] = -math.inf
    return logp


@torch.no_grad()
def greedy(model, batch, specials, rules):
    """batch: (src, lengths, n_source) → one id list per row, EOS excluded."""
    src, lengths, n_source = batch
    memory, s = model.encode(src, lengths)
    bounds = [length_bounds(n, rules) for n in n_source]
    mins, maxs = torch.tensor([b[0] for b in bounds]), torch.tensor([b[1] for b in bounds])
    y = torch.full((src.shape[0],), specials["bos"], dtype=torch.long)
    out = [[] for _ in range(src.shape[0])]
    live = torch.ones(src.shape[0], dtype=torch.bool)
    for t in range(int(maxs.max()) + 1):
        live &= t < maxs  # a row at its maximum length ends here
        if not live.any():
            break
        s, f, _ = model.step(memory, model.embedding(y), s)
        logp = banned(torch.log_softmax(model.logits(f), 1), specials, t, 0)
        logp[t < mins, specials["eos"]] = -math.inf
        y = logp.argmax(1)
        ended = y == specials["eos"]
        for r in (live & ~ended).nonzero().flatten().tolist():
            out[r].append(int(y[r]))
        live &= ~ended
    return out


def normalised(score, length, alpha):
    return score if alpha is None else score / ((5 + length) / 6) ** alpha


@torch.no_grad()
def beam(model, src_ids, specials, rules, k, alpha=None):
    """One source (ids with EOS appended) → the best hypothesis's ids, EOS excluded."""
    src = torch.tensor([src_ids])
    memory, s = model.encode(src, torch.tensor([len(src_ids)]))
    min_length, max_length = length_bounds(len(src_ids) - 1, rules)
    V, eos = model.out.out_features, specials["eos"]
    tokens, scores = [[]], torch.zeros(1, dtype=torch.float64)
    y = torch.tensor([specials["bos"]])
    finished = []  # (normalised score, tokens)
    for t in range(max_length + 1):
        rows = len(tokens)
        mem = {key: value.expand(rows, *value.shape[1:]) for key, value in memory.items()}
        s, f, _ = model.step(mem, model.embedding(y), s)
        logp = torch.log_softmax(model.logits(f), 1).double()
        if t >= max_length:
            finished += [(normalised(float(scores[r] + logp[r, eos]), t + 1, alpha), tokens[r]) for r in range(rows)]
            break
        cand = (scores.unsqueeze(1) + banned(logp.clone(), specials, t, min_length)).view(-1)
        values, ids = cand.topk(min(2 * k, cand.numel()))
        parents, picked, kept = [], [], []
        for i in range(len(ids)):
            if len(picked) >= k:
                break
            r, v = divmod(int(ids[i]), V)
            if values[i] == -math.inf:
                break
            if v == eos:
                if i < k:
                    finished.append((normalised(float(values[i]), t + 1, alpha), tokens[r]))
            else:
                parents.append(r)
                picked.append(v)
                kept.append(values[i])
        if not picked and not finished:  # every continuation banned: end the live rows
            finished += [(normalised(float(scores[r] + logp[r, eos]), t + 1, alpha), tokens[r]) for r in range(rows)]
        if len(finished) >= k or not picked:
            break
        index = torch.tensor(parents)
        tokens = [tokens[r] + [v] for r, v in zip(parents, picked)]
        scores, s, y = torch.stack(kept), s[index], torch.tensor(picked)
    # Best score first; among equal scores the shorter, as Parley's byScore.
    return min(finished, key=lambda h: (-h[0], len(h[1])))[1]
