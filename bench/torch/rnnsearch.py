"""RNNsearch (Bahdanau, Cho & Bengio 2014) as Parley's `rnnsearch` preset builds it (engine/models/*.ts,
engine/layers/*.ts): one embedding shared by source and target, a bidirectional GRU encoder over packed
(padded) sequences, decoder init tanh(W [h_fw; h_bw] + b), additive attention with padding masked, a GRU
decoder on [e(y); c] that attends with the previous state, a maxout readout over [s; c; e(y)]; dropout on
the source embeddings, each target embedding and the readout input. Initialisation as Parley's ParamStore."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

# Parley adds -1e9 at padded source positions (engine/layers/attention.ts MASKED), not -inf.
MASKED = -1e9


def check_preset(m):
    """Refuses a Parley model config this port does not implement, naming the field."""
    expect = {
        ("encoder", "cell"): "gru", ("encoder", "layers"): 1, ("encoder", "bidirectional"): True,
        ("decoder", "cell"): "gru", ("decoder", "layers"): 1, ("decoder", "init"): "bridge",
        ("attention", "kind"): "additive", ("readout", "kind"): "maxout",
    }
    for (group, key), want in expect.items():
        if m[group][key] != want:
            raise SystemExit(f"model config {group}.{key} is {m[group][key]!r}; this reference implements only {want!r}")
    for key, want in {"context": "local", "shareEmbeddings": True, "reverseSource": False}.items():
        if m[key] != want:
            raise SystemExit(f"model config {key} is {m[key]!r}; this reference implements only {want!r}")


def glorot_(weight):
    # Parley's glorot on its [in, out] matrices: U(±sqrt(6 / (in + out))), what xavier_uniform_ draws.
    nn.init.xavier_uniform_(weight)


class RnnSearch(nn.Module):
    def __init__(self, m):
        super().__init__()
        check_preset(m)
        V, E = m["vocabSize"], m["embedding"]
        H, D = m["encoder"]["hidden"], m["decoder"]["hidden"]
        A, R = m["attention"]["dim"], m["readout"]["dim"]
        self.dropout = m["dropout"]
        self.embedding = nn.Embedding(V, E)
        nn.init.uniform_(self.embedding.weight, -0.1, 0.1)
        self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=True)  # PyTorch's init = Parley's GRU init
        self.bridge = nn.Linear(2 * H, D)
        self.wq = nn.Linear(D, A, bias=False)
        self.wk = nn.Linear(2 * H, A, bias=False)
        self.v = nn.Parameter(torch.empty(A).uniform_(-1 / math.sqrt(A), 1 / math.sqrt(A)))
        self.cell = nn.GRUCell(E + 2 * H, D)
        self.readout = nn.Linear(D + 2 * H + E, R)
        self.out = nn.Linear(R // 2, V)
        for layer in (self.bridge, self.readout, self.out):
            glorot_(layer.weight)
            nn.init.zeros_(layer.bias)
        glorot_(self.wq.weight)
        glorot_(self.wk.weight)

    def drop(self, x):
        return F.dropout(x, self.dropout, self.training) if self.dropout > 0 else x

    def encode(self, src, lengths):
        """src [B, S] (EOS appended, padded), lengths [B] → keys [B, S, 2H] (0 at padding), proj, mask, s0."""
        S = src.shape[1]
        emb = self.drop(self.embedding(src))  # [B, S, E]
        packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
        out, h_n = self.encoder(packed)  # h_n [2, B, H]: each direction's state at its last real token
        keys, _ = pad_packed_sequence(out, batch_first=True, total_length=S)  # [B, S, 2H]
        s0 = torch.tanh(self.bridge(torch.cat([h_n[0], h_n[1]], 1)))  # [B, D]
        mask = torch.arange(S).unsqueeze(0) < lengths.unsqueeze(1)  # [B, S], True at real tokens
        return {"keys": keys, "proj": self.wk(keys), "mask": mask}, s0

    def step(self, memory, e, s):
        """e: e(y_{i-1}) [B, E], s: previous state [B, D] → new state, features [s; c; e] [B, F], weights."""
        scores = torch.tanh(memory["proj"] + self.wq(s).unsqueeze(1)) @ self.v  # [B, S]
        alpha = torch.softmax(scores.masked_fill(~memory["mask"], MASKED), 1)
        context = torch.bmm(alpha.unsqueeze(1), memory["keys"]).squeeze(1)  # [B, 2H]
        s = self.cell(torch.cat([e, context], 1), s)
        return s, torch.cat([s, context, e], 1), alpha

    def logits(self, features):
        pre = self.readout(features)  # [N, R]
        return self.out(pre.view(pre.shape[0], -1, 2).max(2).values)  # maxout over adjacent pairs → [N, V]

    def loss_sum(self, src, lengths, tgt_in, tgt_out, weights):
        """Σ −log p over the real target tokens (weights True), teacher forced."""
        memory, s = self.encode(src, lengths)
        emb = self.drop(self.embedding(tgt_in))  # [B, T, E]: every step's embedding dropped independently
        features = []
        for t in range(tgt_in.shape[1]):
            s, f, _ = self.step(memory, emb[:, t], s)
            features.append(f)
        f = self.drop(torch.stack(features, 1))[weights]  # [N real, F]: no readout work on padding
        return F.cross_entropy(self.logits(f), tgt_out[weights], reduction="sum")
