"""Trains the kit's transformer in PyTorch and prints its speed as JSON.

The model, batch, optimiser and sequence length match dprlib/policy: a
pre-layer-norm causal transformer with learned position embeddings, fused
query-key-value projection, tanh GELU, an untied output head, and Adam
(beta 0.9/0.999, eps 1e-8) with gradient clipping at norm 1 on the
weighted log-likelihood. Tokens are random, as in the Go benchmark.

    python3 torch_bench.py --width 128 --depth 4 --heads 4 --context 64 \
        --vocab 23 --batch 12 --seconds 5 --threads 2
"""

import argparse
import json
import math
import os
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--mlp-ratio", type=int, default=4)
    parser.add_argument("--vocab", type=int, default=23)
    parser.add_argument("--batch", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=5.0, help="minimum timed duration")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads")
    args = parser.parse_args()

    import torch  # Imported late so --help works without torch.
    from torch import nn

    torch.manual_seed(1)
    torch.set_num_threads(args.threads)

    class Block(nn.Module):
        def __init__(self, d, heads, hidden):
            super().__init__()
            self.heads = heads
            self.ln1 = nn.LayerNorm(d, eps=1e-5)
            self.qkv = nn.Linear(d, 3 * d)
            self.out = nn.Linear(d, d)
            self.ln2 = nn.LayerNorm(d, eps=1e-5)
            self.mlp_in = nn.Linear(d, hidden)
            self.mlp_out = nn.Linear(hidden, d)

        def forward(self, x, mask):
            b, t, d = x.shape
            hw = d // self.heads
            q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.heads, hw).unbind(2)
            q, k, v = (z.transpose(1, 2) for z in (q, k, v))  # [B, H, T, hw]
            scores = q @ k.transpose(-1, -2) / math.sqrt(hw) + mask
            mixed = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
            x = x + self.out(mixed)
            return x + self.mlp_out(nn.functional.gelu(self.mlp_in(self.ln2(x)), approximate="tanh"))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            d = args.width
            self.tok = nn.Embedding(args.vocab, d)
            self.pos = nn.Embedding(args.context, d)
            self.blocks = nn.ModuleList(
                Block(d, args.heads, d * args.mlp_ratio) for _ in range(args.depth))
            self.ln = nn.LayerNorm(d, eps=1e-5)
            self.head = nn.Linear(d, args.vocab, bias=False)

        def forward(self, tokens):
            t = tokens.shape[1]
            x = self.tok(tokens) + self.pos(torch.arange(t))
            mask = torch.full((t, t), -1e9).triu(1)
            for blk in self.blocks:
                x = blk(x, mask)
            return self.head(self.ln(x))

    model = Model()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    tokens = torch.randint(0, args.vocab, (args.batch, args.context))
    weights = torch.full((args.batch, args.context - 1), 1.0 / (args.batch * (args.context - 1)))

    def step():
        logits = model(tokens)[:, :-1]
        logp = logits.log_softmax(-1).gather(-1, tokens[:, 1:, None]).squeeze(-1)
        loss = -(logp * weights).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    for _ in range(3):  # Warm-up.
        step()
    steps, start = 0, time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.seconds and steps >= 3:
            break
    config = torch.__config__.show()
    blas = "unknown"
    for line in config.splitlines():
        if "BLAS_INFO" in line:
            blas = line.split("BLAS_INFO=")[1].split(",")[0]
    print(json.dumps({
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas_info": blas,
        "blas_library": blas_library(),
        "params": params,
        "steps": steps,
        "seconds": elapsed,
        "train_tokens_per_s": steps * args.batch * args.context / elapsed,
    }))


def blas_library():
    """Returns the BLAS shared library the process loaded, from /proc/self/maps."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                name = line.strip().split()[-1]
                if "blas" in os.path.basename(name):
                    return os.path.realpath(name)
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
