"""Language server speed and memory: cached hint/hover latency, didOpen to first result, RSS.

    .venv/bin/python scripts/bench_server.py [--model DIR] [--requests 200] [--opens 5]

A. Server-side time of a cached inlay-hint request (a 60-line viewport) and of a hover, on a ~300-line file:
   the code the handlers run (per-version analysis, runs, labels, UTF-16 columns), in process, with the gold
   traces (training.tracing.tracer) as the cached predictions, i.e. traces of the size a good model writes. Also the
   same requests on a new document version (after a keystroke: the analysis is redone).
B. The real server over stdio with a model: didOpen of a 20-line function -> the prediction landed
   (``workspace/inlayHint/refresh``), with the default 300 ms debounce; then the round trip of inlay-hint and
   hover requests; the server's RSS with the model loaded. Without ``--model``: a random-initialised "default"
   model exported to ONNX int8 (the export default). Random weights never write EOS, so the token budget
   (maxSteps) is set to the length of the function's real trace: the time a trained model would take.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import BaseLanguageClient  # noqa: E402
from pygls.workspace import TextDocument  # noqa: E402

from codeexecutor.server.config import HintSettings  # noqa: E402
from codeexecutor.server.documents import Documents  # noqa: E402
from codeexecutor.server.positions import line_end, split_lines  # noqa: E402
from codeexecutor.server.predictor import TOKENS_PER_STEP  # noqa: E402
from codeexecutor.server.present import Shown, hints_in_lines, hover_at  # noqa: E402

# examples/summarize.py's function with its example; {k} varies the example so each open is predicted anew.
_EXAMPLE = (Path(__file__).resolve().parent.parent / "examples" / "summarize.py").read_text()
FUNCTION_20_LINES = (_EXAMPLE.split("\n\n\nresult =")[0].replace("{", "{{").replace("}", "}}")
                     .replace("[3, 1, 4, 1, 5]", "[3, 1, 4, 1, {k}]") + "\n")


def big_document(functions: int = 14) -> str:
    """~300 lines: functions with examples and loops, and module code calling some of them."""
    parts = []
    for k in range(functions):
        parts.append(FUNCTION_20_LINES.format(k=k).replace("summarize", f"summarize{k}"))
        parts.append("\n\n")
    parts.append("data = [5, 3, 8, 1]\n")
    parts += [f"print(summarize{k}(data))\n" for k in range(0, functions, 3)]
    parts.append("total = 0\nfor i in range(10):\n    total += i * i\nprint(total)\n")
    return "".join(parts)


class Gold:
    """A cached prediction: the real trace, full confidence."""

    def __init__(self, trace):
        self.trace = trace
        self.confidence = [dict.fromkeys(s.state, 1.0) for s in trace.steps]


def percentiles(ms: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(ms, n=20)
    return statistics.median(ms), q[18]


def server_side(requests: int) -> dict[str, float]:
    from codeexecutor.training.tracing.tracer import trace_program

    doc, uri = big_document(), "file:///big.py"
    lines = split_lines(doc)
    versions = {v: TextDocument(uri, doc, version=v) for v in range(1, 100 + requests)}
    opened = {uri: versions[1]}
    documents, settings = Documents(lambda: opened), HintSettings()
    analysis = documents.analysis(uri)
    cache = {s.digest: Gold(trace_program(s.program, s.stdin)) for s in analysis.scenarios}

    def current(version: int):
        # what Session does per request: the version's record, then what each of its scenarios shows
        opened[uri] = versions[version]
        record = documents.current(uri)
        shown = {s: Shown(found) for s in record.analysis.scenarios if (found := cache.get(s.digest))}
        return record.analysis, shown

    def hint_request(version: int, first: int) -> int:
        found = hints_in_lines(*current(version), first, first + 59, settings)
        return len([(h.line, line_end(lines[h.line]), h.label) for h in found])

    def hover_request(version: int, line: int) -> None:
        hover_at(*current(version), line, settings)

    rng = random.Random(0)
    out: dict[str, float] = {"doc_lines": len(lines), "scenarios": len(analysis.scenarios),
                             "hints_in_doc": len(hints_in_lines(*current(1), 0, len(lines), settings))}
    for name, fn, arg in (("hints", hint_request, lambda: rng.randrange(len(lines) - 60)),
                          ("hover", hover_request, lambda: rng.randrange(len(lines)))):
        for label, fresh in (("cached", False), ("new_version", True)):
            times = []
            for i in range(requests):
                version = 100 + i if fresh else 1
                start = time.perf_counter()
                fn(version, arg())
                times.append((time.perf_counter() - start) * 1000)
            out[f"{name}_{label}_p50_ms"], out[f"{name}_{label}_p95_ms"] = percentiles(times)
            if fresh:
                current(1)  # back to version 1
    return out


def random_default_model(out: Path) -> Path:
    """A random-initialised "default" model with a tokenizer, exported like a shipped one (int8)."""
    import torch

    from codeexecutor.model.architecture import build_model
    from codeexecutor.model.config import named_size
    from codeexecutor.model.prompt import make_prompt
    from codeexecutor.model.tokenizer import BOS, train_tokenizer
    from codeexecutor.training.learning.export import ExportConfig, export_model, sample_prompt_ids

    torch.manual_seed(0)
    cfg = named_size("default")
    texts = [BOS + make_prompt(p.read_text()) for p in sorted((REPO / "examples").glob("*.py"))]
    tok = train_tokenizer(texts * 4 + [big_document()], vocab_size=cfg.vocab_size)
    config = ExportConfig(checkpoint="random-init default", out=str(out), quantization="int8")
    export_model(build_model(cfg).eval(), tok, cfg, config, sample_prompt_ids(tok))
    return out


def token_counts(model_dir: Path, text: str) -> tuple[int, int]:
    """(prompt tokens, tokens of the real trace + EOS) of the document's function scenario."""
    from codeexecutor.model.prompt import make_prompt
    from codeexecutor.model.tokenizer import BOS, load_tokenizer
    from codeexecutor.model.trace import to_text
    from codeexecutor.server.scenarios import analyse
    from codeexecutor.training.tracing.tracer import trace_program

    (scenario,) = analyse(text).scenarios
    tok = load_tokenizer(model_dir / "tokenizer.json")
    prompt = len(tok.encode(BOS + make_prompt(scenario.program), add_special_tokens=False).ids)
    return prompt, len(tok.encode(to_text(trace_program(scenario.program)), add_special_tokens=False).ids) + 1


async def through_the_server(model_dir: Path, max_steps: int, opens: int, requests: int) -> dict[str, float]:
    settings = {"modelPath": str(model_dir), "maxSteps": max_steps, "confidenceThreshold": 0.0}
    client = BaseLanguageClient("bench", "1")
    refreshed, statuses = asyncio.Event(), []

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(params: types.ConfigurationParams):
        return [settings for _ in params.items]

    @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def refresh(params: None) -> None:
        refreshed.set()

    @client.feature("codeexecutor/status")
    def status(params) -> None:
        statuses.append((time.perf_counter(), params.state))

    await client.start_io(sys.executable, "-m", "codeexecutor.server", "--log-level", "warning")
    caps = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
        configuration=True, inlay_hint=types.InlayHintWorkspaceClientCapabilities(refresh_support=True)))
    started = time.perf_counter()
    await client.initialize_async(types.InitializeParams(capabilities=caps, process_id=None))
    client.initialized(types.InitializedParams())
    while not any(state in ("ready", "error") for _, state in statuses):
        await asyncio.sleep(0.01)
    if statuses[-1][1] == "error":
        raise SystemExit(f"the server could not load {model_dir}")
    out: dict[str, float] = {"model_load_s": statuses[-1][0] - started,
                             "rss_loaded_mb": rss_mb(client._server.pid)}
    first, seconds = [], []
    for k in range(opens):
        uri = f"file:///bench/f{k}.py"
        text = FUNCTION_20_LINES.format(k=k)
        refreshed.clear()
        start = time.perf_counter()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        await refreshed.wait()
        first.append((time.perf_counter() - start) * 1000)
        answer = await client.protocol.send_request_async("codeexecutor/trace", {"uri": uri})
        out["predict_tokens"] = answer.scenarios[0].tokens
        seconds.append(answer.scenarios[0].seconds)
    out["predict_s"] = statistics.median(seconds)
    out["first_result_p50_ms"] = statistics.median(first)
    out["first_result_max_ms"] = max(first)
    uri = "file:///bench/f0.py"
    for name, send in (("hints", lambda: client.text_document_inlay_hint_async(types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=types.Range(types.Position(0, 0), types.Position(20, 0))))),
                       ("hover", lambda: client.text_document_hover_async(types.HoverParams(
                           types.TextDocumentIdentifier(uri), types.Position(8, 4))))):
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            await send()
            times.append((time.perf_counter() - start) * 1000)
        out[f"{name}_roundtrip_p50_ms"], out[f"{name}_roundtrip_p95_ms"] = percentiles(times)
    out["rss_after_mb"] = rss_mb(client._server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return out


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="exported model directory (default: random-init default)")
    parser.add_argument("--requests", type=int, default=200, help="requests per latency figure")
    parser.add_argument("--opens", type=int, default=5, help="didOpen -> first result repeats")
    args = parser.parse_args()

    a = server_side(args.requests)
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        model_dir = args.model or random_default_model(Path(tmp) / "model")
        prompt, tokens = token_counts(model_dir, FUNCTION_20_LINES.format(k=0))
        max_steps = math.ceil(tokens / TOKENS_PER_STEP)
        b = asyncio.run(through_the_server(model_dir, max_steps, args.opens, args.requests))
    label = str(args.model) if args.model else "random-init default, int8"
    rows = [(f"{part} {name}, {unit}", x[f"{key}_p50_ms"] if unit.startswith("p50") else x[first],
             x[f"{key}_p95_ms"] if unit.startswith("p50") else x[second], target)
            for part, x, name, key, unit, first, second, target in (
                ("A", a, "cached hints (60-line viewport)", "hints_cached", "p50 / p95 ms", "", "", 50),
                ("A", a, "cached hover", "hover_cached", "p50 / p95 ms", "", "", 50),
                ("A", a, "hints on a new version", "hints_new_version", "p50 / p95 ms", "", "", None),
                ("A", a, "hover on a new version", "hover_new_version", "p50 / p95 ms", "", "", None),
                ("B", b, "hints round trip", "hints_roundtrip", "p50 / p95 ms", "", "", 50),
                ("B", b, "hover round trip", "hover_roundtrip", "p50 / p95 ms", "", "", 50),
                ("B", b, "didOpen -> first result", "", "median / max ms", "first_result_p50_ms",
                 "first_result_max_ms", 1000),
                ("B", b, "server RSS", "", "loaded / after, MB", "rss_loaded_mb", "rss_after_mb", 400))]
    print(f"document A: {a['doc_lines']} lines, {a['scenarios']} scenarios, {a['hints_in_doc']} hints; "
          f"model B: {label}; prompt {prompt} tokens, budget {max_steps} steps ({tokens} trace tokens), "
          f"{b['predict_tokens']} tokens in {b['predict_s']:.2f} s; model load {b['model_load_s']:.1f} s")
    print(f"{'figure':50} {'p50/first':>10} {'p95/second':>11} {'target':>7}")
    for name, x, y, target in rows:
        print(f"{name:50} {x:10.1f} {y:11.1f} {target if target is not None else '':>7}")
    print(json.dumps({"model": label, "prompt_tokens": prompt, "trace_tokens": tokens, "max_steps": max_steps,
                      **a, **b}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
