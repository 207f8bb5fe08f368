"""The learning-rate schedules, extending a wsd run on resume, and batches that mix kinds."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from codeexecutor.training.learning.data import CurriculumSampler, Stage, TokenizedSplit
from codeexecutor.training.learning.train import TrainConfig, extension_error, lr_at


def config(**overrides) -> TrainConfig:
    base = {"data": "d", "stages": [{"kinds": {"singleline": 1.0}, "steps": 100}], "lr": 1.0,
            "warmup_steps": 10, "min_lr_ratio": 0.1, "schedule": "wsd", "decay_steps": 20}
    return TrainConfig.from_dict({**base, **overrides})


def test_wsd_warms_up_holds_then_decays_linearly_to_the_floor() -> None:
    cfg = config()
    assert [lr_at(cfg, s) for s in (0, 4, 9)] == [0.1, 0.5, 1.0]
    assert [lr_at(cfg, s) for s in (10, 50, 80)] == [1.0, 1.0, 1.0]
    assert [round(lr_at(cfg, s), 6) for s in (90, 100)] == [0.55, 0.1]


def test_a_wsd_run_before_its_decay_may_change_its_stages_and_nothing_else() -> None:
    old = config()
    longer = config(stages=[{"kinds": {"singleline": 1.0}, "steps": 300}])
    shorter = config(stages=[{"kinds": {"singleline": 1.0}, "steps": 60}])
    assert extension_error(old, longer, step=80) is None
    assert extension_error(old, shorter, step=40) is None  # decays from step 40 on
    assert extension_error(old, old, step=95) is None
    remixed = config(stages=[{"kinds": {"singleline": 0.5, "generated": 0.5}, "steps": 100}])
    assert extension_error(old, remixed, step=50) is None
    assert "wsd run before its decay" in extension_error(old, longer, step=81)  # past the old decay start
    assert "wsd run before its decay" in extension_error(old, shorter, step=41)
    assert "['lr']" in extension_error(old, config(lr=2.0), step=10)
    cosine = config(schedule="cosine")
    assert "['stages']" in extension_error(cosine, config(schedule="cosine", stages=longer.to_dict()["stages"]),
                                           step=10)


def test_unknown_precision_or_schedule_is_refused() -> None:
    with pytest.raises(ValueError, match="precision 'fp16'"):
        config(precision="fp16")
    with pytest.raises(ValueError, match="schedule 'linear'"):
        config(schedule="linear")


def fake_split(kinds: list[int], length: int) -> TokenizedSplit:
    """Examples of one length whose first token names their kind (1 + the kind's index)."""
    tokens = np.full(len(kinds) * length, 7, dtype=np.uint16)
    tokens[::length] = np.array(kinds) + 1
    offsets = np.arange(0, len(kinds) * length + 1, length, dtype=np.int64)
    return TokenizedSplit(tokens=tokens, offsets=offsets, prompt_lens=np.full(len(kinds), 3, dtype=np.int32),
                          kinds=np.array(kinds, dtype=np.int8), dropped=0)


@pytest.mark.parametrize("mix", [False, True])
def test_mixed_batches_hold_every_kind_of_the_stage(mix: bool) -> None:
    split = fake_split([0] * 50 + [3] * 50, length=20)  # singleline and generated examples
    stages = [Stage(kinds={"singleline": 0.5, "generated": 0.5}, steps=10)]
    sampler = CurriculumSampler(split, stages, batch_tokens=64 * 16, pad_id=0, seed=1, mix=mix)  # 16 rows
    for step in range(5):
        batch = sampler.batch(step)
        kinds = Counter(int(t) for t in batch.inputs[:, 0])
        assert sum(kinds.values()) == 16
        assert (len(kinds) == 2) == mix  # 16 rows drawn half and half: both kinds, or one kind a batch
        assert batch.kind == ("mixed" if mix else {1: "singleline", 4: "generated"}[next(iter(kinds))])
