"""scripts/heldout_loss.py on a real checkpoint: a memorised program scores a lower loss than an unseen one, and
the loss per character counts exactly the characters of the scored trace text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tokenizers import Tokenizer

from codeexecutor.model.tokenizer import EOS
from codeexecutor.model.trace import to_text
from codeexecutor.training.tracing.tracer import trace_program

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = "a = [5, 1, 4]\nb = sorted(a)\nc = b[0] * 10 + len(a)\n"


def record(kind: str, i: int, program: str) -> dict:
    trace = trace_program(program)
    return {"id": f"{kind}-{i}", "kind": kind, "program": program, "stdin": "", "trace": trace.to_json(),
            "text": to_text(trace), "operator": "original", "origin": f"{kind}-{i}", "split": "test"}


def test_heldout_loss_separates_memorised_from_unseen(tiny_checkpoint_dir: Path, tiny_programs: dict,
                                                      tmp_path: Path) -> None:
    (tmp_path / "test").mkdir()
    seen = [record("tutorial", i, program) for i, (program, _) in enumerate(tiny_programs.values())]
    unseen = [record("codenet", 0, UNSEEN)]
    for kind, records in (("tutorial", seen), ("codenet", unseen)):
        (tmp_path / "test" / f"{kind}-00000.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "heldout_loss.py"), "--data", str(tmp_path),
                           "--split", "test", "--per-kind", "10", str(tiny_checkpoint_dir)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["split"] == f"{tmp_path}/test"
    assert out["eval_loss_tutorial"] < 0.1 < out["eval_loss_codenet"]
    # every trace token and the closing <eos> are scored: per character is the same sum over their text
    tok = Tokenizer.from_file(str(tiny_checkpoint_dir / "tokenizer.json"))
    text = unseen[0]["text"] + EOS
    per_char = out["eval_loss_codenet"] * len(tok.encode(text, add_special_tokens=False).ids) / len(text)
    assert abs(out["nats_per_char_codenet"] - per_char) < 1e-3 * per_char
    # values (what hints show) apart from the rest: the two parts add up to the whole
    for kind in ("tutorial", "codenet"):
        nv, no = out[f"value_tokens_{kind}"], out[f"other_tokens_{kind}"]
        assert nv > 0 and no > 0
        both = (out[f"value_loss_{kind}"] * nv + out[f"other_loss_{kind}"] * no) / (nv + no)
        assert abs(both - out[f"eval_loss_{kind}"]) < 1e-3 * out[f"eval_loss_{kind}"] + 1e-4
    # [5, 1, 4], [1, 4, 5] and 13 with their separating spaces
    assert out["value_tokens_codenet"] == sum(len(tok.encode(v, add_special_tokens=False).ids)
                                              for v in (" [5, 1, 4] ", " [1, 4, 5] ", " 13 "))
