"""PyTorch peer of bench/train.ts: the same RNNsearch (Bahdanau et al. 2014) at issue 2's "small" and
"big" configs, same step order (attend with the previous state, GRU on [e(y); c], maxout readout over
[s; c; e(y)]), random tokens, dropout 0, Adam + clipping. Prints one JSON line per config.
Run: /usr/bin/python3 bench/torch/train.py [--config small|big] [--threads 2]"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    "small": dict(vocab=4000, embedding=128, encoderHidden=128, decoderHidden=256, attentionDim=256,
                  readoutDim=256, batch=64, sourceLength=20, targetLength=20, warmup=3, steps=10),
    "big": dict(vocab=8000, embedding=256, encoderHidden=256, decoderHidden=512, attentionDim=512,
                readoutDim=512, batch=64, sourceLength=20, targetLength=20, warmup=2, steps=8),
}


class RnnSearch(nn.Module):
    def __init__(self, c):
        super().__init__()
        E, H, D, A, R, V = (c[k] for k in ("embedding", "encoderHidden", "decoderHidden", "attentionDim", "readoutDim", "vocab"))
        self.embedding = nn.Embedding(V, E)  # shared by source and target, as the rnnsearch preset
        self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * H, D)
        self.wq = nn.Linear(D, A, bias=False)
        self.wk = nn.Linear(2 * H, A, bias=False)
        self.v = nn.Linear(A, 1, bias=False)
        self.cell = nn.GRUCell(E + 2 * H, D)
        self.readout = nn.Linear(D + 2 * H + E, R)
        self.out = nn.Linear(R // 2, V)

    def forward(self, src, tgt_in):
        keys, h_n = self.encoder(self.embedding(src))  # [B, S, 2H], [2, B, H]
        s = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], 1)))  # [B, D]
        proj = self.wk(keys)  # [B, S, A]
        emb = self.embedding(tgt_in)  # [B, T, E]
        features = []
        for t in range(tgt_in.shape[1]):
            scores = self.v(torch.tanh(proj + self.wq(s).unsqueeze(1))).squeeze(2)  # [B, S]
            alpha = torch.softmax(scores, 1)
            context = torch.bmm(alpha.unsqueeze(1), keys).squeeze(1)  # [B, 2H]
            e = emb[:, t]
            s = self.cell(torch.cat([e, context], 1), s)
            features.append(torch.cat([s, context, e], 1))
        f = torch.stack(features, 1).reshape(-1, features[0].shape[1])  # [B*T, F]
        pre = self.readout(f)
        hidden = pre.view(pre.shape[0], -1, 2).max(2).values  # maxout, pool 2
        return self.out(hidden)  # [B*T, V]


def run(name, c):
    torch.manual_seed(1)
    model = RnnSearch(c)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(7)
    B, S, T, V = c["batch"], c["sourceLength"], c["targetLength"], c["vocab"]
    batches = []
    for _ in range(4):
        src = torch.randint(4, V, (B, S), generator=g)
        tgt = torch.randint(4, V, (B, T - 1), generator=g)
        tgt_in = torch.cat([torch.full((B, 1), 2), tgt], 1)
        tgt_out = torch.cat([tgt, torch.full((B, 1), 3)], 1)
        batches.append((src, tgt_in, tgt_out))
    seconds = []
    cpu_seconds = []  # all threads: less sensitive than wall time to other processes on shared cores
    loss = None
    for i in range(c["warmup"] + c["steps"]):
        src, tgt_in, tgt_out = batches[i % len(batches)]
        t0 = time.perf_counter()
        c0 = time.process_time()
        opt.zero_grad()
        loss = F.cross_entropy(model(src, tgt_in), tgt_out.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        if i >= c["warmup"]:
            seconds.append(time.perf_counter() - t0)
            cpu_seconds.append(time.process_time() - c0)
    step = statistics.median(seconds)
    tokens = B * T
    return dict(config=name, sizes=c, parameters=sum(p.numel() for p in model.parameters()), steps=len(seconds),
                medianStepSeconds=round(step, 4), minStepSeconds=round(min(seconds), 4),
                medianStepCpuSeconds=round(statistics.median(cpu_seconds), 4), targetTokensPerStep=tokens,
                targetTokensPerSecond=round(tokens / step), lastLoss=round(loss.item(), 4))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config", choices=list(CONFIGS), action="append")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    for name in a.config or list(CONFIGS):
        result = run(name, CONFIGS[name])
        peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(dict(backend=f"pytorch {torch.__version__}", threads=torch.get_num_threads(), **result, peakRssMiB=peak)), flush=True)


if __name__ == "__main__":
    main()
