"""Program mutations: small, valid edits that change what a program does (the paper's mutation family).

Each mutation is one libcst transformer class named ``<Verb><Thing>``. A mutation works in two passes over
the same parsed tree: the first counts the candidate *sites* (the nodes it could change), then one site is
chosen with the caller's ``random.Random`` and a fresh instance changes only that site. Sites are counted on
the original nodes in the order libcst leaves them, so both passes number them identically.

Finding sites and applying mutations to a program is training/dataset/mutants.py. docs/dataset.md shows a
before/after example for every operator.
"""

from __future__ import annotations

import ast
import random
from typing import ClassVar

import libcst as cst

# Values in the result of a failed change: libcst refuses an invalid node, compile() an invalid program.
INVALID_CHANGE = (cst.CSTValidationError, cst.ParserSyntaxError, SyntaxError, ValueError, TypeError, RecursionError)

_ATOMS = (cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString,
          cst.FormattedString, cst.Call, cst.Attribute, cst.Subscript, cst.List, cst.Dict, cst.Set,
          cst.ListComp, cst.SetComp, cst.DictComp)
_ARITHMETIC = (cst.Add, cst.Subtract, cst.Multiply, cst.FloorDivide, cst.Divide, cst.Modulo, cst.Power)
_STRING_CONTAINERS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
# Names whose subscripts are types (list[int]), not indexing: changing them is never a useful mutant.
_TYPE_NAMES = frozenset({"list", "dict", "set", "tuple", "frozenset", "type", "List", "Dict", "Set", "Tuple",
                         "Optional", "Union", "Callable", "Iterable", "Iterator", "Sequence", "Mapping"})


def _parens(expr: cst.BaseExpression) -> cst.BaseExpression:
    """``expr`` wrapped in parentheses unless it is an atom that binds tighter than any operator."""
    if isinstance(expr, _ATOMS) or expr.lpar:
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _int_value(expr: cst.BaseExpression) -> int | None:
    """The value of an integer literal, ``-literal`` included; None for anything else."""
    if isinstance(expr, cst.Integer):
        return int(ast.literal_eval(expr.value))
    if (isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus)
            and isinstance(expr.expression, cst.Integer)):
        return -int(ast.literal_eval(expr.expression.value))
    return None


def _int_literal(value: int) -> cst.BaseExpression:
    if value < 0:
        return cst.UnaryOperation(operator=cst.Minus(), expression=cst.Integer(str(-value)))
    return cst.Integer(str(value))


def _plus(expr: cst.BaseExpression, delta: int) -> cst.BaseExpression:
    """``expr + delta``, folded for an integer literal (``a[0]`` -> ``a[1]``, not ``a[0 + 1]``)."""
    value = _int_value(expr)
    if value is not None:
        return _int_literal(value + delta).with_changes(lpar=expr.lpar, rpar=expr.rpar)
    binary_ok = isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, _ARITHMETIC)
    left = expr if binary_ok else _parens(expr)
    op = cst.Add() if delta > 0 else cst.Subtract()
    return cst.BinaryOperation(left=left, operator=op, right=cst.Integer(str(abs(delta))))


class Mutation(cst.CSTTransformer):
    """Base: count the sites this mutation can change, or change the ``target``-th one."""

    name: ClassVar[str] = ""
    site_types: ClassVar[tuple[type, ...]] = ()  # the node types ``is_site`` can accept (a fast pre-filter)

    def __init__(self, rng: random.Random, target: int = -1) -> None:
        super().__init__()
        self.rng = rng
        self.target = target
        self.sites = 0

    def is_site(self, node: cst.CSTNode) -> bool:
        raise NotImplementedError

    def change(self, node: cst.CSTNode) -> cst.CSTNode | cst.RemovalSentinel:
        raise NotImplementedError

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        updated_node = super().on_leave(original_node, updated_node)
        if isinstance(original_node, self.site_types) and self.is_site(original_node):
            index = self.sites
            self.sites += 1
            if index == self.target:
                return self.change(updated_node)
        return updated_node


class _OperatorSwap(Mutation):
    """Shared shape of the operator replacements: the site holds an operator found in ``swaps``."""

    node_type: ClassVar[type] = cst.CSTNode
    swaps: ClassVar[dict[type, type]] = {}

    def is_site(self, node: cst.CSTNode) -> bool:
        return isinstance(node, self.node_type) and type(node.operator) in self.swaps

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        old = node.operator
        new_type = self.swaps[type(old)]
        fields = {f: getattr(old, f) for f in ("whitespace_before", "whitespace_after") if hasattr(old, f)}
        return node.with_changes(operator=new_type(**fields))


class ReplaceArithmeticOperator(_OperatorSwap):
    """Replace an arithmetic operator: + <-> -, * <-> //, / -> *, % -> //, ** -> *."""

    name = "arithmetic"
    site_types = (cst.BinaryOperation,)
    node_type = cst.BinaryOperation
    swaps: ClassVar[dict[type, type]] = {
        cst.Add: cst.Subtract, cst.Subtract: cst.Add, cst.Multiply: cst.FloorDivide,
        cst.FloorDivide: cst.Multiply, cst.Divide: cst.Multiply, cst.Modulo: cst.FloorDivide,
        cst.Power: cst.Multiply}


class ReplaceComparisonOperator(_OperatorSwap):
    """Replace a comparison: < <-> <=, > <-> >=, == <-> !=, in <-> not in, is <-> is not."""

    name = "relational"
    site_types = (cst.ComparisonTarget,)
    node_type = cst.ComparisonTarget
    swaps: ClassVar[dict[type, type]] = {
        cst.LessThan: cst.LessThanEqual, cst.LessThanEqual: cst.LessThan,
        cst.GreaterThan: cst.GreaterThanEqual, cst.GreaterThanEqual: cst.GreaterThan,
        cst.Equal: cst.NotEqual, cst.NotEqual: cst.Equal,
        cst.In: cst.NotIn, cst.NotIn: cst.In, cst.Is: cst.IsNot, cst.IsNot: cst.Is}

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        # The two-word operators carry an inner whitespace field the one-word ones lack: use defaults.
        return node.with_changes(operator=self.swaps[type(node.operator)]())


class SwapBooleanOperator(_OperatorSwap):
    """Replace ``and`` with ``or`` and ``or`` with ``and``."""

    name = "logical"
    site_types = (cst.BooleanOperation,)
    node_type = cst.BooleanOperation
    swaps: ClassVar[dict[type, type]] = {cst.And: cst.Or, cst.Or: cst.And}


class ReplaceBitwiseOperator(_OperatorSwap):
    """Replace a bitwise operator: & <-> |, ^ -> |, << <-> >>."""

    name = "bitwise"
    site_types = (cst.BinaryOperation,)
    node_type = cst.BinaryOperation
    swaps: ClassVar[dict[type, type]] = {
        cst.BitAnd: cst.BitOr, cst.BitOr: cst.BitAnd, cst.BitXor: cst.BitOr,
        cst.LeftShift: cst.RightShift, cst.RightShift: cst.LeftShift}


class ReplaceAugmentedAssignment(_OperatorSwap):
    """Replace an augmented assignment: += <-> -=, *= <-> //=, /= -> *=, %= -> //=, |= <-> &=."""

    name = "assignment"
    site_types = (cst.AugAssign,)
    node_type = cst.AugAssign
    swaps: ClassVar[dict[type, type]] = {
        cst.AddAssign: cst.SubtractAssign, cst.SubtractAssign: cst.AddAssign,
        cst.MultiplyAssign: cst.FloorDivideAssign, cst.FloorDivideAssign: cst.MultiplyAssign,
        cst.DivideAssign: cst.MultiplyAssign, cst.ModuloAssign: cst.FloorDivideAssign,
        cst.BitOrAssign: cst.BitAndAssign, cst.BitAndAssign: cst.BitOrAssign,
        cst.PowerAssign: cst.MultiplyAssign}


class RemoveNot(Mutation):
    """Remove a ``not``: ``not x`` -> ``x``."""

    name = "not_removal"
    site_types = (cst.UnaryOperation,)

    def is_site(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not)

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        inner = node.expression
        # Keep the outer parentheses (they may be what separates ``if not(x)`` from ``if``).
        if node.lpar and not inner.lpar:
            return inner.with_changes(lpar=node.lpar, rpar=node.rpar)
        return inner


class ReplaceUnaryOperator(Mutation):
    """Change a unary arithmetic operator: ``-x`` -> ``x``, ``+x`` -> ``-x``, ``~x`` -> ``-x``."""

    name = "unary"
    site_types = (cst.UnaryOperation,)

    def is_site(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus,
                                                                                   cst.BitInvert))

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        if isinstance(node.operator, cst.Minus):
            inner = node.expression
            if node.lpar and not inner.lpar:
                return inner.with_changes(lpar=node.lpar, rpar=node.rpar)
            return inner
        return node.with_changes(operator=cst.Minus())


class NegateCondition(Mutation):
    """Negate the test of an ``if``, ``elif`` or ``while``: ``if c:`` -> ``if not c:``."""

    name = "condition"
    site_types = (cst.If, cst.While)

    def is_site(self, node: cst.CSTNode) -> bool:
        return isinstance(node, (cst.If, cst.While))

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        test = node.test
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            new_test = test.expression
        else:
            new_test = cst.UnaryOperation(operator=cst.Not(), expression=_parens(test))
        return node.with_changes(test=new_test)


class ReplaceNumber(Mutation):
    """Replace a number literal with a nearby value: ``n`` -> ``n + 1`` or ``n - 1`` (folded)."""

    name = "number"
    site_types = (cst.Integer, cst.Float)

    def is_site(self, node: cst.CSTNode) -> bool:
        return isinstance(node, (cst.Integer, cst.Float))

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        value = ast.literal_eval(node.value)
        choices = [value + 1] + ([value - 1] if value >= 1 else [])
        new = self.rng.choice(choices)
        text = str(new) if isinstance(node, cst.Integer) else repr(float(new))
        return node.with_changes(value=text)


class _NotDocstring(Mutation):
    """Base that skips string literals standing alone as statements (docstrings change nothing)."""

    def __init__(self, rng: random.Random, target: int = -1) -> None:
        super().__init__(rng, target)
        self._statement_strings: set[int] = set()

    def visit_Expr(self, node: cst.Expr) -> None:
        self._statement_strings.add(id(node.value))


class ReplaceString(_NotDocstring):
    """Change a string literal: drop its last or first character, swap its case, or fill an empty one."""

    name = "string"
    site_types = (cst.SimpleString,)

    def is_site(self, node: cst.CSTNode) -> bool:
        return (isinstance(node, cst.SimpleString) and id(node) not in self._statement_strings
                and "b" not in node.prefix.lower())

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        value = ast.literal_eval(node.value)
        choices = [value[:-1], value[1:], value.swapcase()] if value else ["x"]
        choices = [c for c in choices if c != value] or [value + value[-1]]
        return node.with_changes(value=repr(self.rng.choice(choices)))


class FlipBoolean(Mutation):
    """Flip a boolean literal: ``True`` <-> ``False``."""

    name = "boolean"
    site_types = (cst.Name,)

    def is_site(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.Name) and node.value in ("True", "False")

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        return node.with_changes(value="False" if node.value == "True" else "True")


class SwapBreakContinue(Mutation):
    """Replace ``break`` with ``continue`` and ``continue`` with ``break``."""

    name = "break_continue"
    site_types = (cst.Break, cst.Continue)

    def is_site(self, node: cst.CSTNode) -> bool:
        return isinstance(node, (cst.Break, cst.Continue))

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        return cst.Continue(semicolon=node.semicolon) if isinstance(node, cst.Break) else cst.Break(
            semicolon=node.semicolon)


class _OutsideAnnotations(Mutation):
    """Base that skips subscripts inside annotations (``x: list[int]``), which index nothing."""

    def __init__(self, rng: random.Random, target: int = -1) -> None:
        super().__init__(rng, target)
        self._annotation_depth = 0

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._annotation_depth += 1

    def leave_Annotation(self, original_node: cst.Annotation, updated_node: cst.Annotation) -> cst.Annotation:
        self._annotation_depth -= 1
        return updated_node

    def _subscript_element(self, node: cst.CSTNode, slice_type: type) -> cst.BaseSlice | None:
        if self._annotation_depth or not isinstance(node, cst.Subscript) or len(node.slice) != 1:
            return None
        if isinstance(node.value, cst.Name) and node.value.value in _TYPE_NAMES:
            return None
        inner = node.slice[0].slice
        return inner if isinstance(inner, slice_type) else None


class ShiftIndex(_OutsideAnnotations):
    """Move an index by one: ``a[i]`` -> ``a[i + 1]`` or ``a[i - 1]`` (``a[0]`` -> ``a[1]``)."""

    name = "index"
    site_types = (cst.Subscript,)

    def is_site(self, node: cst.CSTNode) -> bool:
        index = self._subscript_element(node, cst.Index)
        return index is not None and not index.star and not isinstance(index.value, _STRING_CONTAINERS)

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        element = node.slice[0]
        index = element.slice
        new_value = _plus(index.value, self.rng.choice((1, -1)))
        return node.with_changes(slice=[element.with_changes(slice=index.with_changes(value=new_value))])


class ChangeSlice(_OutsideAnnotations):
    """Change a slice: move or drop a bound, drop the step, or reverse [:] (-> ``[::-1]``)."""

    name = "slice"
    site_types = (cst.Subscript,)

    def is_site(self, node: cst.CSTNode) -> bool:
        return self._subscript_element(node, cst.Slice) is not None

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        element = node.slice[0]
        sl: cst.Slice = element.slice
        options: list[cst.Slice] = []
        for bound in ("lower", "upper"):
            value = getattr(sl, bound)
            if value is not None:
                options.append(sl.with_changes(**{bound: None}))
                options.append(sl.with_changes(**{bound: _plus(value, self.rng.choice((1, -1)))}))
        if sl.step is not None:
            options.append(sl.with_changes(step=None, second_colon=cst.MaybeSentinel.DEFAULT))
        if not options:
            options.append(sl.with_changes(step=_int_literal(-1), second_colon=cst.Colon()))
        return node.with_changes(slice=[element.with_changes(slice=self.rng.choice(options))])


def _positional(call: cst.Call) -> bool:
    return all(a.keyword is None and not a.star for a in call.args)


# Calls whose swapped arguments only ever raise a TypeError (``map(int, xs)`` -> ``map(xs, int)``).
_TYPED_CALLS = frozenset({"map", "filter", "isinstance", "issubclass", "getattr", "setattr", "hasattr",
                          "reduce", "divmod", "pow"})


class SwapArguments(Mutation):
    """Swap two neighbouring positional arguments of a call: ``f(a, b)`` -> ``f(b, a)``."""

    name = "argument_swap"
    site_types = (cst.Call,)

    def is_site(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.Call) or len(node.args) < 2 or not _positional(node):
            return False
        return not (isinstance(node.func, cst.Name) and node.func.value in _TYPED_CALLS)

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        args = list(node.args)
        i = self.rng.randrange(len(args) - 1)
        first, second = args[i].value, args[i + 1].value
        args[i], args[i + 1] = args[i].with_changes(value=second), args[i + 1].with_changes(value=first)
        return node.with_changes(args=args)


class SwapOperands(Mutation):
    """Swap the operands of a non-commutative operator: ``a - b`` -> ``b - a`` (also / // % ** << >>)."""

    name = "operand_swap"
    site_types = (cst.BinaryOperation,)
    _NON_COMMUTATIVE = (cst.Subtract, cst.Divide, cst.FloorDivide, cst.Modulo, cst.Power, cst.LeftShift,
                        cst.RightShift)

    def is_site(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.BinaryOperation) and isinstance(node.operator, self._NON_COMMUTATIVE)

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        # Parentheses keep the swap a swap: ``a - b - c`` -> ``c - (a - b)``, not ``c - a - b``.
        return node.with_changes(left=_parens(node.right), right=_parens(node.left))


class DeleteStatement(Mutation):
    """Delete one simple statement from a block that keeps at least one other statement (imports kept)."""

    name = "statement_deletion"
    site_types = (cst.SimpleStatementLine,)

    def __init__(self, rng: random.Random, target: int = -1) -> None:
        super().__init__(rng, target)
        self._block_sizes: list[int] = []

    def visit_Module(self, node: cst.Module) -> None:
        self._block_sizes.append(len(node.body))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        self._block_sizes.pop()
        return updated_node

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._block_sizes.append(len(node.body))

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        self._block_sizes.pop()
        return updated_node

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._block_sizes.append(0)  # ``if x: a`` on one line: its statements are never sites

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite,
                                   updated_node: cst.SimpleStatementSuite) -> cst.SimpleStatementSuite:
        self._block_sizes.pop()
        return updated_node

    def is_site(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.SimpleStatementLine) or not self._block_sizes:
            return False
        # Deleting an import only produces a NameError; deleting a docstring or ``pass`` changes nothing.
        kept = (cst.Import, cst.ImportFrom, cst.Pass)
        return self._block_sizes[-1] >= 2 and not any(
            isinstance(s, kept) or (isinstance(s, cst.Expr) and isinstance(s.value, _STRING_CONTAINERS))
            for s in node.body)

    def change(self, node: cst.CSTNode) -> cst.RemovalSentinel:
        return cst.RemovalSentinel.REMOVE


class ChangeRangeBound(Mutation):
    """Move a ``range`` bound by one: ``range(n)`` -> ``range(n + 1)``, ``range(1, n)`` -> ``range(0, n)``."""

    name = "range"
    site_types = (cst.Call,)

    def is_site(self, node: cst.CSTNode) -> bool:
        return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "range"
                and 1 <= len(node.args) <= 3 and _positional(node))

    def change(self, node: cst.CSTNode) -> cst.CSTNode:
        args = list(node.args)
        i = self.rng.randrange(min(2, len(args)))
        args[i] = args[i].with_changes(value=_plus(args[i].value, self.rng.choice((1, -1))))
        return node.with_changes(args=args)


OPERATORS: dict[str, type[Mutation]] = {cls.name: cls for cls in (
    ReplaceArithmeticOperator, ReplaceComparisonOperator, SwapBooleanOperator, RemoveNot, NegateCondition,
    ReplaceAugmentedAssignment, ReplaceBitwiseOperator, ReplaceUnaryOperator, ReplaceNumber, ReplaceString,
    FlipBoolean, SwapBreakContinue, ShiftIndex, ChangeSlice, SwapArguments, SwapOperands, DeleteStatement,
    ChangeRangeBound)}
