"""Mutants of a program: find every operator's sites in one pass, apply one or several changes.

``mutate`` and ``mutants`` never raise for a program that parses: a change that yields invalid code is
dropped (``None`` / left out). The operators themselves are training/dataset/mutations.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import fields
from itertools import pairwise
from typing import ClassVar

import libcst as cst

from codeexecutor.training.dataset.mutations import INVALID_CHANGE, OPERATORS

_Hook = tuple[int, Callable | None, Callable | None, bool]


class SiteCollector(cst.CSTVisitor):
    """One pass that finds the sites of many mutations at once, each with its path from the root.

    It drives the mutations' own hooks, so sites are numbered exactly as a mutation's transformer pass
    numbers them; changing a site then rebuilds only the nodes on its path instead of the whole tree.
    """

    # (mutation classes, node type) -> [(mutation index, visit hook, leave hook, is a site type)], built once
    # per process: most node types concern one mutation or none.
    _hook_cache: ClassVar[dict[tuple[tuple[type, ...], type], list[_Hook]]] = {}

    def __init__(self, operators: Iterable[str]) -> None:
        super().__init__()
        self.mutations = [OPERATORS[op](random.Random(0)) for op in operators]
        self.paths: dict[str, list[tuple[cst.CSTNode, ...]]] = {m.name: [] for m in self.mutations}
        self._classes = tuple(type(m) for m in self.mutations)
        self._stack: list[cst.CSTNode] = []

    def _hooks_for(self, node_type: type) -> list[_Hook]:
        key = (self._classes, node_type)
        hooks = self._hook_cache.get(key)
        if hooks is None:
            name = node_type.__name__
            hooks = []
            for i, cls in enumerate(self._classes):
                visit, leave = getattr(cls, f"visit_{name}", None), getattr(cls, f"leave_{name}", None)
                site = issubclass(node_type, cls.site_types)
                if visit or leave or site:
                    hooks.append((i, visit, leave, site))
            self._hook_cache[key] = hooks
        return hooks

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._stack.append(node)
        for i, visit, _, _ in self._hooks_for(type(node)):
            if visit is not None:
                visit(self.mutations[i], node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        for i, _, leave, site in self._hooks_for(type(original_node)):
            m = self.mutations[i]
            if leave is not None:
                leave(m, original_node, original_node)
            if site and m.is_site(original_node):
                m.sites += 1
                self.paths[m.name].append(tuple(self._stack))
        self._stack.pop()


def collect_sites(tree: cst.Module, operators: Iterable[str] | None = None) -> dict[str, list[tuple]]:
    """Every site of each operator in ``tree`` (default: all), as the path of nodes from the root to it."""
    collector = SiteCollector(OPERATORS if operators is None else operators)
    tree.visit(collector)
    return collector.paths


def _replace_child(parent: cst.CSTNode, old: cst.CSTNode,
                   new: cst.CSTNode | cst.RemovalSentinel) -> cst.CSTNode:
    for f in fields(parent):
        value = getattr(parent, f.name)
        if value is old:
            return parent.with_changes(**{f.name: new})
        if isinstance(value, (list, tuple)) and any(v is old for v in value):
            items = [new if v is old else v for v in value]
            return parent.with_changes(**{f.name: [v for v in items if v is not cst.RemovalSentinel.REMOVE]})
    raise ValueError(f"{type(old).__name__} is not a child of {type(parent).__name__}")


def apply_changes(changes: list[tuple[str, tuple[cst.CSTNode, ...]]], rng: random.Random) -> str | None:
    """The program with every (operator, site path) change made; None when the result is invalid.

    The sites must not contain one another. Only the nodes on the paths are rebuilt, deepest first, so each
    parent is rebuilt once from all its changed children.
    """
    try:
        new: dict[int, cst.CSTNode | cst.RemovalSentinel] = {
            id(path[-1]): OPERATORS[op](rng).change(path[-1]) for op, path in changes}
        parents: dict[int, tuple[int, cst.CSTNode, dict[int, cst.CSTNode]]] = {}
        for _, path in changes:
            for depth, (parent, child) in enumerate(pairwise(path)):
                parents.setdefault(id(parent), (depth, parent, {}))[2][id(child)] = child
        for _, parent, children in sorted(parents.values(), key=lambda entry: -entry[0]):
            rebuilt = parent
            for key, child in children.items():
                if key in new:
                    rebuilt = _replace_child(rebuilt, child, new[key])
            new[id(parent)] = rebuilt
        code = new[id(changes[0][1][0])].code
        compile(code, "<mutant>", "exec")
    except INVALID_CHANGE:
        return None
    return code


def apply_path(operator: str, path: tuple[cst.CSTNode, ...], rng: random.Random) -> str | None:
    """The program with the site at the end of ``path`` changed by ``operator``; None when invalid."""
    return apply_changes([(operator, path)], rng)


def apply_at(tree: cst.Module, operator: str, site: int, rng: random.Random) -> str | None:
    """The program with the ``site``-th site of ``operator`` changed, by the transformer itself (the slow,
    reference path that ``apply_path`` must agree with); None when the result is invalid."""
    try:
        code = tree.visit(OPERATORS[operator](rng, target=site)).code
        compile(code, "<mutant>", "exec")
    except INVALID_CHANGE:
        return None
    return code


def mutate(source: str, operator: str, rng: random.Random) -> str | None:
    """``source`` with one randomly chosen site of ``operator`` changed; None when there is none."""
    if operator not in OPERATORS:
        raise KeyError(f"unknown mutation {operator!r}; known: {', '.join(OPERATORS)}")
    try:
        tree = cst.parse_module(source)
        paths = collect_sites(tree, [operator])[operator]
    except (cst.ParserSyntaxError, RecursionError):
        return None
    if not paths:
        return None
    code = apply_path(operator, paths[rng.randrange(len(paths))], rng)
    return code if code != source else None


def mutants(source: str, n: int, rng: random.Random, max_order: int = 1) -> list[tuple[str, str]]:
    """Up to ``n`` distinct mutants of ``source`` as (operator, code); operators are drawn evenly.

    With ``max_order`` > 1 a mutant may make up to that many changes at separate sites (operator names
    joined by "+"), which is how a few seed programs yield thousands of distinct programs.
    """
    if n < 1:
        return []  # not even a parse: libcst's was ~30 ms a program, most of a build without mutants
    try:
        tree = cst.parse_module(source)
        sites = collect_sites(tree)
    except (cst.ParserSyntaxError, RecursionError):  # RecursionError: nesting deeper than the visitor can go
        return []
    available = [op for op, paths in sites.items() if paths]
    seen = {source}
    out: list[tuple[str, str]] = []
    # A program with few sites cannot give n distinct mutants: stop after a bounded number of tries.
    for _ in range(4 * n):
        if len(out) >= n or not available:
            break
        changes: list[tuple[str, tuple[cst.CSTNode, ...]]] = []
        for _ in range(rng.randint(1, max_order)):
            op = rng.choice(available)
            path = sites[op][rng.randrange(len(sites[op]))]
            if all(_separate(path, other) for _, other in changes):
                changes.append((op, path))
        code = apply_changes(changes, rng)
        if code is not None and code not in seen:
            seen.add(code)
            out.append(("+".join(op for op, _ in changes), code))
    return out


def _separate(a: tuple[cst.CSTNode, ...], b: tuple[cst.CSTNode, ...]) -> bool:
    """Neither site contains the other (a change may rebuild its site's children)."""
    return not any(node is b[-1] for node in a) and not any(node is a[-1] for node in b)
