"""Checks the PyTorch RNNsearch against Parley's own: loads a Parley model directory's weights (weights.json
+ its binary, float32 or float16) into rnnsearch.py's model, then prints the validation perplexity of the
exported validation pairs (compare with config.json's valid.perplexity, measured by parley train on the
same pairs) and writes greedy and beam hypotheses of the exported test set (score them with
bench/translate-bleu.ts and compare with parley eval's test BLEU of the same model).
Run: /usr/bin/python3 bench/torch/parity.py --model DIR --data IDS --out DIR [--beam 5]"""
import argparse
import json
import os

import torch

from rnnsearch import RnnSearch
from search import beam
from translate import decode_greedy, perplexity, read_jsonl, write_hypotheses


def read_parley_weights(model_dir):
    with open(os.path.join(model_dir, "weights.json"), encoding="utf-8") as f:
        group = json.load(f)["weightsManifest"][0]
    with open(os.path.join(model_dir, group["paths"][0]), "rb") as f:
        data = f.read()
    weights, offset = {}, 0
    for w in group["weights"]:
        count = 1
        for d in w["shape"]:
            count *= d
        half = w.get("quantization", {}).get("dtype") == "float16"
        size = count * (2 if half else 4)
        values = torch.frombuffer(bytearray(data[offset:offset + size]), dtype=torch.float16 if half else torch.float32)
        weights[w["name"]] = values.float().reshape(w["shape"])
        offset += size
    return weights


def load_parley(model, w):
    """Parley keeps x·W matrices [in, out]; PyTorch keeps W [out, in]. Gate order (r, z, n) is the same."""
    t = lambda name: w[name].t().contiguous()  # noqa: E731
    state = {
        "embedding.weight": w["embedding"],
        "bridge.weight": t("bridge/l0/w"), "bridge.bias": w["bridge/l0/b"],
        "wq.weight": t("attention/w_q"), "wk.weight": t("attention/w_k"), "v": w["attention/v"],
        "cell.weight_ih": t("decoder/l0/w_ih"), "cell.weight_hh": t("decoder/l0/w_hh"),
        "cell.bias_ih": w["decoder/l0/b_ih"], "cell.bias_hh": w["decoder/l0/b_hh"],
        "readout.weight": t("readout/w"), "readout.bias": w["readout/b"],
        "out.weight": t("readout/w_out"), "out.bias": w["readout/b_out"],
    }
    for direction, suffix in (("fw", ""), ("bw", "_reverse")):
        p = f"encoder/l0/{direction}"
        state.update({f"encoder.weight_ih_l0{suffix}": t(f"{p}/w_ih"), f"encoder.weight_hh_l0{suffix}": t(f"{p}/w_hh"),
                      f"encoder.bias_ih_l0{suffix}": w[f"{p}/b_ih"], f"encoder.bias_hh_l0{suffix}": w[f"{p}/b_hh"]})
    model.load_state_dict(state, strict=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="a Parley model directory (rnnsearch)")
    p.add_argument("--data", required=True, help="a bench/translate-ids.ts --out directory")
    p.add_argument("--out", required=True)
    p.add_argument("--beam", type=int, default=5, help="beam width of the second decode; 0 skips it")
    p.add_argument("--perplexity-only", action="store_true", help="no test decoding")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    with open(os.path.join(a.model, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    with open(os.path.join(a.data, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    model = RnnSearch(config["model"])
    load_parley(model, read_parley_weights(a.model))
    model.eval()
    sp, rules = meta["specials"], meta["test"]["decoding"]
    valid, test = read_jsonl(os.path.join(a.data, "valid.jsonl")), read_jsonl(os.path.join(a.data, "test.jsonl"))
    os.makedirs(a.out, exist_ok=True)
    if not a.perplexity_only:
        write_hypotheses(os.path.join(a.out, "hyp-greedy.jsonl"), decode_greedy(model, test, sp, rules))
    if a.beam > 0 and not a.perplexity_only:
        write_hypotheses(os.path.join(a.out, f"hyp-beam{a.beam}.jsonl"), [beam(model, r["src"] + [sp["eos"]], sp, rules, a.beam) for r in test])
    print(json.dumps({"validPerplexity": perplexity(model, valid, sp), "parleyValidPerplexity": config.get("valid", {}).get("perplexity"),
                      "parleyStep": config.get("step"), "validPairs": len(valid), "test": len(test)}), flush=True)


if __name__ == "__main__":
    main()
