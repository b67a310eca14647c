"""The PyTorch translation reference for issue 12's end-to-end check: RNNsearch as Parley's preset
(rnnsearch.py) trained on the ids bench/translate-ids.ts exported, with Parley's recipe (Adam, global-norm
clipping, length-bucketed batches under a token budget, validation perplexity every N steps keeping the
best model, patience), for a wall-time and/or step budget; then greedy and beam decoding of the exported
test sources, written as ids for bench/translate-bleu.ts to score with Parley's BLEU.
Run: /usr/bin/python3 bench/torch/translate.py --data DIR --out DIR --minutes 30 [--threads 2] (see README.md)"""
import argparse
import copy
import json
import math
import os
import random
import resource
import time

import torch

from rnnsearch import RnnSearch
from search import beam, greedy


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def row_cost(e):
    # engine/pipeline/batches.ts rowCost: the longer of source and target (+1 for EOS).
    return max(len(e["src"]), len(e["tgt"]) + 1)


def plan_batches(examples, batch_tokens, rng, pool_batches=50):
    """planBatches' idea: shuffle, sort pools of ~50 batches by cost, cut where padded size passes the budget, shuffle."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    mean_cost = sum(row_cost(e) for e in examples) / max(1, len(examples))
    pool_size = max(1, round(pool_batches * batch_tokens / mean_cost))
    batches = []
    for start in range(0, len(order), pool_size):
        pool = sorted(order[start:start + pool_size], key=lambda i: (row_cost(examples[i]), i))
        batch, longest = [], 0
        for i in pool:
            cost = row_cost(examples[i])
            if batch and max(longest, cost) * (len(batch) + 1) > batch_tokens:
                batches.append(batch)
                batch, longest = [], 0
            batch.append(i)
            longest = max(longest, cost)
        if batch:
            batches.append(batch)
    rng.shuffle(batches)
    return batches


def sources(rows, sp):
    """engine/models/source.ts: EOS appended to every source, padded to the longest."""
    seqs = [r["src"] + [sp["eos"]] for r in rows]
    S = max(len(q) for q in seqs)
    src = torch.full((len(seqs), S), sp["pad"], dtype=torch.long)
    for b, q in enumerate(seqs):
        src[b, :len(q)] = torch.tensor(q)
    return src, torch.tensor([len(q) for q in seqs])


def tensors(rows, sp):
    """engine/training/batch.ts makeBatch: decoder input [bos] + tgt, output tgt + [eos], pad after."""
    src, lengths = sources(rows, sp)
    T = max(len(r["tgt"]) for r in rows) + 1
    tgt_in = torch.full((len(rows), T), sp["pad"], dtype=torch.long)
    tgt_out = torch.full((len(rows), T), sp["pad"], dtype=torch.long)
    weights = torch.zeros((len(rows), T), dtype=torch.bool)
    for b, r in enumerate(rows):
        n = len(r["tgt"])
        tgt_in[b, :n + 1] = torch.tensor([sp["bos"]] + r["tgt"])
        tgt_out[b, :n + 1] = torch.tensor(r["tgt"] + [sp["eos"]])
        weights[b, :n + 1] = True
    return src, lengths, tgt_in, tgt_out, weights


@torch.no_grad()
def perplexity(model, rows, sp):
    """exp(mean −log p) over every real target token of the validation pairs (measurePerplexity)."""
    was_training = model.training
    model.eval()
    nll, count = 0.0, 0
    for batch in plan_batches(rows, 4000, random.Random(0)):
        t = tensors([rows[i] for i in batch], sp)
        nll += float(model.loss_sum(*t))
        count += int(t[4].sum())
    model.train(was_training)
    return math.exp(nll / count)


def decode_greedy(model, rows, sp, rules, chunk=32):
    was_training = model.training
    model.eval()
    out = []
    for i in range(0, len(rows), chunk):
        part = rows[i:i + chunk]
        src, lengths = sources(part, sp)
        out += greedy(model, (src, lengths, [len(r["src"]) for r in part]), sp, rules)
    model.train(was_training)
    return out


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="a bench/translate-ids.ts --out directory")
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, help="wall-time budget of the training loop (validation included, as parley train)")
    p.add_argument("--steps", type=int)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--config", help="a Parley config.json (or its model object) to take the sizes from; default: meta.json's")
    p.add_argument("--hidden", type=int, help="as parley train --hidden: encoder h, decoder 2h, attention h, readout h rounded up to even")
    p.add_argument("--embedding", type=int)
    p.add_argument("--dropout", type=float)
    p.add_argument("--lr", type=float)
    p.add_argument("--batch-tokens", type=int)
    p.add_argument("--valid-every", type=int)
    p.add_argument("--valid-decode", type=int, help="validation sources decoded greedily each validation, as parley train's --valid-limit (cost only); default the run's")
    p.add_argument("--patience", type=int, help="validations without a new best before stopping; default the run's")
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--seed", type=int)
    p.add_argument("--beam", type=int, default=5, help="beam width for the test decode; 0 skips it")
    p.add_argument("--alpha", type=float, action="append", default=[],
                   help="also beam-decode with this GNMT length penalty (repeatable); the plain beam has none, as parley eval --beam")
    a = p.parse_args()
    if a.minutes is None and a.steps is None:
        p.error("give --minutes and/or --steps")
    return a


def model_config(a, meta):
    m = copy.deepcopy(meta["model"])
    if a.config:
        with open(a.config, encoding="utf-8") as f:
            loaded = json.load(f)
        m = loaded.get("model", loaded)
    if a.hidden:  # cli/train-options.ts runModelConfig
        m["decoder"]["hidden"] = round(a.hidden * m["decoder"]["hidden"] / m["encoder"]["hidden"])
        m["encoder"]["hidden"] = a.hidden
        m["attention"]["dim"] = a.hidden
        m["readout"]["dim"] = a.hidden + a.hidden % 2
    if a.embedding:
        m["embedding"] = a.embedding
    if a.dropout is not None:
        m["dropout"] = a.dropout
    if m["vocabSize"] != meta["vocabSize"]:
        raise SystemExit(f"model vocabulary {m['vocabSize']} but the exported tokenizer has {meta['vocabSize']} pieces")
    return m


class Log:
    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8")

    def __call__(self, **entry):
        line = json.dumps(entry)
        self.file.write(line + "\n")
        self.file.flush()
        print(line, flush=True)


def train(model, data, a, log):
    """engine/training/train-loop.ts: epochs of planned batches, validation every N steps keeping the best
    (by perplexity), patience, the budgets checked after every step, a last validation at the end."""
    sp, train_rows, valid_rows = data["specials"], data["train"], data["valid"]
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    start = time.perf_counter()
    budget = None if a.minutes is None else a.minutes * 60
    best = {"perplexity": math.inf, "step": 0, "state": copy.deepcopy(model.state_dict())}
    state = {"step": 0, "tokens": 0, "bad": 0, "validSeconds": 0.0}

    def validate():
        t0 = time.perf_counter()
        ppl = perplexity(model, valid_rows, sp)
        if a.valid_decode > 0:
            decode_greedy(model, valid_rows[:: max(1, len(valid_rows) // a.valid_decode)][: a.valid_decode], sp, data["rules"])
        state["validSeconds"] += time.perf_counter() - t0
        log(step=state["step"], validPerplexity=ppl, validSeconds=round(time.perf_counter() - t0, 2), elapsed=round(time.perf_counter() - start, 1))
        if ppl < best["perplexity"]:
            best.update(perplexity=ppl, step=state["step"], state=copy.deepcopy(model.state_dict()))
            state["bad"] = 0
            return None
        state["bad"] += 1
        return "patience" if state["bad"] >= a.patience else None

    def spent():
        if a.steps is not None and state["step"] >= a.steps:
            return "steps"
        return "time-budget" if budget is not None and time.perf_counter() - start >= budget else None

    stopped, epoch = spent(), 0.0
    window = (time.perf_counter(), 0)
    while stopped is None:
        # One order per (seed, epoch), as epochSeed: every epoch differs, every run repeats.
        batches = plan_batches(train_rows, a.batch_tokens, random.Random(a.seed * 1_000_003 + int(epoch)))
        for done, batch in enumerate(batches, 1):
            src, lengths, tgt_in, tgt_out, weights = tensors([train_rows[i] for i in batch], sp)
            n = int(weights.sum())
            opt.zero_grad()
            loss = model.loss_sum(src, lengths, tgt_in, tgt_out, weights) / n
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), data["clipNorm"])
            opt.step()
            state["step"] += 1
            state["tokens"] += n
            window = (window[0], window[1] + n)
            if state["step"] % a.log_every == 0 or state["step"] == 1:
                now = time.perf_counter()
                log(step=state["step"], epoch=int(epoch), loss=round(float(loss), 4), gradNorm=round(float(norm), 3),
                    tokensPerSecond=round(window[1] / max(1e-3, now - window[0])), elapsed=round(now - start, 1))
                window = (now, 0)
            if state["step"] % a.valid_every == 0:
                stopped = validate()
            stopped = stopped or spent()
            if stopped:
                break
        epoch += done / len(batches)
    if state["step"] % a.valid_every != 0:
        stopped = validate() or stopped
    elapsed = time.perf_counter() - start
    model.load_state_dict(best["state"])
    return dict(steps=state["step"], epochs=round(epoch, 3), stopped=stopped, elapsedSeconds=round(elapsed, 1),
                targetTokens=state["tokens"], tokensPerSecond=round(state["tokens"] / elapsed),
                validationSeconds=round(state["validSeconds"], 1), bestStep=best["step"], bestValidPerplexity=best["perplexity"])


def write_hypotheses(path, hypotheses):
    with open(path, "w", encoding="utf-8") as f:
        for ids in hypotheses:
            f.write(json.dumps({"ids": ids}) + "\n")


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    with open(os.path.join(a.data, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    t = meta["training"]
    a.lr = a.lr or t["learningRate"]
    a.batch_tokens = a.batch_tokens or t["batchTokens"]
    a.valid_every = a.valid_every or t["validEvery"]
    a.valid_decode = t.get("validLimit", 200) if a.valid_decode is None else a.valid_decode
    a.patience = a.patience or t.get("patience", 5)
    a.seed = t["seed"] if a.seed is None else a.seed
    torch.manual_seed(a.seed)
    config = model_config(a, meta)
    data = dict(specials=meta["specials"], clipNorm=t["clipNorm"], rules=meta["test"]["decoding"],
                train=read_jsonl(os.path.join(a.data, "train.jsonl")), valid=read_jsonl(os.path.join(a.data, "valid.jsonl")))
    test = read_jsonl(os.path.join(a.data, "test.jsonl"))
    os.makedirs(a.out, exist_ok=True)
    log = Log(os.path.join(a.out, "train-log.jsonl"))
    model = RnnSearch(config)
    log(backend=f"pytorch {torch.__version__}", threads=torch.get_num_threads(), parameters=sum(p.numel() for p in model.parameters()),
        model=config, train=len(data["train"]), valid=len(data["valid"]), test=len(test), lr=a.lr, batchTokens=a.batch_tokens,
        clipNorm=data["clipNorm"], validEvery=a.valid_every, validDecode=a.valid_decode, patience=a.patience, minutes=a.minutes, steps=a.steps)
    summary = train(model, data, a, log)
    torch.save({"model": config, "state": model.state_dict()}, os.path.join(a.out, "model.pt"))
    model.eval()
    t0 = time.perf_counter()
    write_hypotheses(os.path.join(a.out, "hyp-greedy.jsonl"), decode_greedy(model, test, data["specials"], data["rules"]))
    summary["greedySeconds"] = round(time.perf_counter() - t0, 1)
    if a.beam > 0:
        for alpha in [None, *a.alpha]:
            t0 = time.perf_counter()
            rows = [beam(model, r["src"] + [data["specials"]["eos"]], data["specials"], data["rules"], a.beam, alpha) for r in test]
            name = f"beam{a.beam}" + ("" if alpha is None else f"-alpha{alpha:g}")
            write_hypotheses(os.path.join(a.out, f"hyp-{name}.jsonl"), rows)
            summary[f"{name}Seconds"] = round(time.perf_counter() - t0, 1)
    summary["peakRssMiB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    log(summary=summary)


if __name__ == "__main__":
    main()
