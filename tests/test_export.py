"""The ONNX export: logits and greedy tokens of ONNX agree with PyTorch; the manifest; int8; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from codeexecutor.cli import main  # noqa: E402
from codeexecutor.model.engine import Engine  # noqa: E402
from codeexecutor.model.graph import GraphIO  # noqa: E402
from codeexecutor.training.learning.checkpoint import load_checkpoint  # noqa: E402
from codeexecutor.training.learning.export import FP32_LOGIT_ATOL, sha256, verify  # noqa: E402

# Programs the tiny model never saw (garbage predictions, but the same garbage in ONNX and PyTorch).
UNSEEN = ["a = 1\nb = a + 2\n", "def f(x):\n    return [x] * 2\ny = f('q')\nprint(y, len(y))\n"]


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    # A tiny model on a busy 2-core machine: a second OpenMP thread only spin-waits (see tests/conftest.py).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def torch_model(tiny_checkpoint_dir):
    return load_checkpoint(tiny_checkpoint_dir)


@pytest.fixture(scope="module")
def engine(tiny_model_dir) -> Engine:
    return Engine.load(tiny_model_dir, threads=1)


def all_programs(tiny_programs) -> list[str]:
    return [src for src, _ in tiny_programs.values()] + UNSEEN


def test_logits_match_pytorch_at_prefill_and_each_cached_decode_step(torch_model, tiny_model_dir,
                                                                    tiny_programs, engine):
    model, _, cfg = torch_model
    for program in all_programs(tiny_programs):
        ids = engine.prompt_ids(program)
        # verify: max |ONNX - PyTorch| of the last-position logits at the prefill and 6 cached decode steps
        assert verify(model, cfg, tiny_model_dir / "model.onnx", ids, steps=6) < FP32_LOGIT_ATOL


def test_a_one_token_prompt_works_too(torch_model, tiny_model_dir):
    model, tok, cfg = torch_model
    bos = tok.token_to_id("<bos>")
    assert verify(model, cfg, tiny_model_dir / "model.onnx", [bos], steps=3) < FP32_LOGIT_ATOL


def test_onnx_greedy_tokens_equal_transformers_generate_with_cache(torch_model, tiny_programs, engine):
    model, _, _ = torch_model
    for program in all_programs(tiny_programs):
        ids = engine.prompt_ids(program)
        with torch.no_grad():
            out = model.generate(torch.tensor([ids]), max_new_tokens=60, do_sample=False, use_cache=True,
                                 eos_token_id=engine.eos_id, pad_token_id=engine.eos_id)
        expected = out[0, len(ids):].tolist()
        result = engine.decoder.greedy(ids, engine.eos_id, max_new_tokens=60)
        got = result.tokens + ([engine.eos_id] if result.stop == "eos" else [])
        assert got == expected, program


def test_constrained_greedy_tokens_are_the_same_through_onnx_and_transformers(torch_model, tiny_programs, engine):
    # The same mask (codeexecutor.model.constraints) through the engine's loop and transformers' LogitsProcessor.
    from codeexecutor.training.learning.masking import TraceMask

    model, _, _ = torch_model
    table = engine.token_table
    for program in all_programs(tiny_programs):
        ids = engine.prompt_ids(program)
        with torch.no_grad():
            out = model.generate(torch.tensor([ids]), max_new_tokens=60, do_sample=False, use_cache=True,
                                 eos_token_id=engine.eos_id, pad_token_id=engine.eos_id,
                                 logits_processor=[TraceMask.for_programs([program], table)])
        expected = out[0, len(ids):].tolist()
        result = engine.decoder.greedy(ids, engine.eos_id, max_new_tokens=60,
                                       constraint=engine.constraint(program))
        got = result.tokens + ([engine.eos_id] if result.stop == "eos" else [])
        assert got == expected, program
        unconstrained = engine.decoder.greedy(ids, engine.eos_id, max_new_tokens=60).tokens
        if program in UNSEEN:  # the mask changed what the model wrote on a program it never saw
            assert result.tokens != unconstrained, program


def test_manifest_lists_every_file_with_its_hash_and_the_contract_versions(tiny_model_dir):
    manifest = json.loads((tiny_model_dir / "manifest.json").read_text())
    assert manifest["format"] == "codeexecutor-onnx"
    assert manifest["trace_format_version"] == 1
    assert manifest["quantization"] == "fp32"
    assert sorted(manifest["files"]) == ["model.onnx", "tokenizer.json"]
    for name, digest in manifest["files"].items():
        assert sha256(tiny_model_dir / name) == digest
    assert manifest["model_config"]["num_layers"] == 2
    assert manifest["io"]["inputs"][:4] == ["input_ids", "position_ids", "past_key_0", "past_value_0"]
    assert manifest["io"] == {"inputs": GraphIO(2).input_names, "outputs": GraphIO(2).output_names}
    assert manifest["parity"]["fp32_max_abs_logit_diff"] < FP32_LOGIT_ATOL


def test_export_cli_int8_loads_runs_and_is_smaller(tiny_checkpoint_dir, tiny_model_dir, tiny_programs,
                                                   tmp_path: Path, capsys):
    out = tmp_path / "int8"
    assert main(["export", "--checkpoint", str(tiny_checkpoint_dir), "--out", str(out)]) == 0
    assert "int8" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["quantization"] == "int8"
    assert (out / "model.onnx").stat().st_size < (tiny_model_dir / "model.onnx").stat().st_size
    engine = Engine.load(out, threads=1)
    src, _ = tiny_programs["square.py"]
    prediction = engine.predict(src, max_new_tokens=80)
    assert prediction.tokens > 0
    assert prediction.trace.steps  # an int8 copy of a memorising model still writes steps


def test_export_cli_rejects_a_directory_that_is_not_a_checkpoint(tmp_path: Path, capsys):
    assert main(["export", "--checkpoint", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "not a checkpoint directory" in capsys.readouterr().err
