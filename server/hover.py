"""A line's runs -> hover markdown: the frame's whole predicted state after each run, as a table."""

from __future__ import annotations

from codeexecutor.model.trace import EXCEPTION_KEY, OUTPUT_KEY, RETURN_KEY
from codeexecutor.server.config import HintSettings
from codeexecutor.server.hints import PREDICTED
from codeexecutor.server.runs import Run

_EVENTS = ((RETURN_KEY, "→", lambda r: r.ret), (OUTPUT_KEY, "printed", lambda r: r.output),
           (EXCEPTION_KEY, "raised", lambda r: r.exception))


def hover_markdown(line: int, runs: list[Run], scenario_label: str, settings: HintSettings,
                   note: str = "") -> str:
    """Markdown table of the state after ``line`` (0-based) for each run, capped at ``max_hover_rows``."""
    plural = "s" if len(runs) != 1 else ""
    out = [f"**Line {line + 1}**, ran {len(runs)} time{plural} — *{PREDICTED}* ({scenario_label})"]
    if note:
        out.append(f"*{note}*")
    names = list(dict.fromkeys(name for run in runs for name in run.state))
    events = [(key, title, pick) for key, title, pick in _EVENTS if any(pick(r) is not None for r in runs)]
    columns = ["#", *names, *(title for _, title, _ in events)]
    if len(columns) == 1:
        out.append("")
        out.append("(no variables in this frame yet)")
        return "\n".join(out)
    out += ["", "| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    shown = runs[: settings.max_hover_rows]
    for n, run in enumerate(shown, 1):
        cells = [str(n)]
        for name in names:
            value = run.state.get(name)
            cells.append("" if value is None else _code(value, run.confidence.get(name), settings))
        for key, _, pick in events:
            value = pick(run)
            cells.append("" if value is None else _code(value, run.confidence.get(key), settings))
        out.append("| " + " | ".join(cells) + " |")
    if len(runs) > len(shown):
        out.append(f"\n… {len(runs) - len(shown)} more")
    return "\n".join(out)


def _code(value: str, confidence: float | None, settings: HintSettings) -> str:
    cut = 2 * settings.max_hint_length  # a hover has more room than a hint
    text = value if len(value) <= cut else value[:cut - 1] + "…"
    text = text.replace("\n", "⏎")
    mark = "?" if confidence is not None and confidence < settings.confidence_threshold else ""
    return _cell(f"`{text}`" if "`" not in text else f"`` {text} ``") + mark


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
