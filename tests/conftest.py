"""Shared fixtures: a tiny real model trained in seconds to memorise a few programs, as checkpoint and ONNX.

``tiny_programs`` are the memorised programs with their gold traces: the exported model predicts each of
them exactly (the fixture checks it), so end-to-end tests can assert exact values. Any other program gets
a garbage (but well-formed or partial) prediction.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsp_client import doc_programs, memorises, model_cache_key

from codeexecutor.model.trace import Trace

# Short, distinct programs covering a call with a return, a loop, strings and output.
TINY_PROGRAMS: dict[str, str] = {
    "square.py": "def sq(n):\n    r = n * n\n    return r\nx = sq(3)\nprint(x)\n",
    "loop.py": "total = 0\nfor i in range(3):\n    total += i\nprint(total)\n",
    "text.py": "s = 'ab'\nt = s.upper()\nu = t + s\n",
}


@pytest.fixture(scope="session")
def tiny_programs() -> dict[str, tuple[str, Trace]]:
    """name -> (program, its gold trace from the sandboxed tracer)."""
    from codeexecutor.training.tracing.tracer import trace_program

    return {name: (src, trace_program(src)) for name, src in TINY_PROGRAMS.items()}


@pytest.fixture(scope="session")
def tiny_checkpoint_dir(tmp_path_factory, tiny_programs) -> Path:
    """A training checkpoint (training/learning/checkpoint.py layout) of the tiny memorising model."""
    from codeexecutor.training.learning.checkpoint import save_checkpoint
    from codeexecutor.training.learning.memorise import memorise

    model, tok, cfg, steps = memorise(tiny_programs)
    out = tmp_path_factory.mktemp("tiny-checkpoint")
    save_checkpoint(out, model, tok, cfg, {"fixture": "tests/conftest.py", "steps": steps}, {"step": steps})
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_checkpoint_dir) -> Path:
    """The tiny checkpoint exported to ONNX (fp32, so its predictions are exactly the PyTorch model's)."""
    from codeexecutor.training.learning.checkpoint import load_checkpoint
    from codeexecutor.training.learning.export import ExportConfig, export_model, sample_prompt_ids

    model, tok, cfg = load_checkpoint(tiny_checkpoint_dir)
    out = tmp_path_factory.mktemp("tiny-onnx")
    export_model(model, tok, cfg, ExportConfig(checkpoint=str(tiny_checkpoint_dir), out=str(out),
                                               quantization="fp32"), sample_prompt_ids(tok))
    return out


@pytest.fixture(scope="session")
def memorised_model_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lsp_client.DOC's scenario programs (and the mistaught one) memorised by the tiny model, exported to
    ONNX fp32 (one per run: the server tests share it)."""
    from codeexecutor.training.learning.export import ExportConfig, export_model, sample_prompt_ids
    from codeexecutor.training.learning.memorise import memorise

    programs = doc_programs()
    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    base = cache.mkdir("codeexecutor-server-model") if cache else tmp_path_factory.mktemp("server-model")
    out = base / model_cache_key(programs)
    if out.is_dir() and memorises(out, programs):
        return out
    shutil.rmtree(out, ignore_errors=True)
    model, tok, cfg, _ = memorise(programs)
    export_model(model, tok, cfg, ExportConfig(checkpoint="tests/test_server_e2e.py", out=str(out),
                                               quantization="fp32"), sample_prompt_ids(tok))
    assert memorises(out, programs), "the exported model does not reproduce the memorised traces"
    return out
