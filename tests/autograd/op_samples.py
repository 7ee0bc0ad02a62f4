"""Sample inputs for every rule of the derivative table: the table drives the tests.

Each `Sample` names the rule it exercises and a function `fn(t, *inputs)` written against a
torch-like namespace `t` (gradlang's TORCH or torch itself), so one row serves the value,
gradient, node-name (against torch) and gradcheck (central differences) tests. A rule added
to the table without a row here fails `test_every_rule_has_samples`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Arg:
    """One tensor input: its shape, its value domain, whether it requires grad."""

    shape: tuple[int, ...]
    domain: str = "any"  # any | pos | unit | prob
    grad: bool = True


@dataclass(frozen=True)
class Sample:
    rule: str
    fn: Callable[..., Any]
    args: tuple[Arg, ...]
    names: bool = True  # compare grad_fn names with torch
    grads: bool = True  # compare gradients / gradcheck
    gradgrad: bool = True  # second-order gradcheck
    tags: tuple[str, ...] = field(default_factory=tuple)


def A(*shape: int, domain: str = "any", grad: bool = True) -> Arg:  # noqa: N802
    return Arg(tuple(shape), domain, grad)


def P(*shape: int) -> Arg:  # noqa: N802
    return Arg(tuple(shape), "pos")


def U(*shape: int) -> Arg:  # noqa: N802
    return Arg(tuple(shape), "unit")


def S(rule: str, fn: Callable[..., Any], *args: Arg, **kw: Any) -> Sample:  # noqa: N802
    return Sample(rule, fn, tuple(args), **kw)


def _setitem(t: Any, a: Any, b: Any) -> Any:
    y = a * 1
    y[0] = b
    return y


def _zero(t: Any, a: Any) -> Any:
    y = a * 1
    y.zero_()
    return y


def _fill(t: Any, a: Any) -> Any:
    y = a * 1
    y.fill_(2.0)
    return y


def _copy_(t: Any, a: Any, b: Any) -> Any:
    y = a * 1
    y.copy_(b)
    return y


def _view_inplace(t: Any, a: Any) -> Any:
    y = a * 2
    v = y[1:3]
    v.mul_(a[0])
    return v * y[2:]


def _dbl(op: Callable[..., Any]) -> Callable[..., Any]:
    """The first derivative of op (with create_graph): its node is op's backward op."""

    def first(t: Any, a: Any, *rest: Any) -> Any:
        (g,) = t.autograd.grad(op(t, a, *rest).sum(), a, create_graph=True)
        return g

    return first


def _nll_double(t: Any, a: Any) -> Any:
    """nll_loss's gradient with create_graph: NllLossBackwardBackward0 (its input's
    derivative is zero; the seed's, an nll_loss of the incoming gradient)."""
    logp = a.log_softmax(1)
    seed = t.tensor(0.5, dtype=a.dtype, requires_grad=True)
    loss = f(t).nll_loss(logp, t.tensor([2, 0, 1]), reduction="sum")
    (g,) = t.autograd.grad(loss, logp, grad_outputs=seed, create_graph=True)
    return g * seed


def _index_double(t: Any, a: Any) -> Any:
    (g,) = t.autograd.grad((a[[0, 2, 2]] ** 3).sum(), a, create_graph=True)
    return g


def _grad_copy(t: Any, a: Any) -> Any:
    (a**3).sum().backward(create_graph=True)
    return a.grad


def _to_other(t: Any, a: Any) -> Any:
    return a.to(t.float64) if a.dtype == t.float32 else a.to(t.float32)


F = "nn.functional"


def f(t: Any) -> Any:
    return t.nn.functional


SAMPLES: list[Sample] = [
    # arithmetic (broadcasting and 0-dim included)
    S("add", lambda t, a, b: a + b, A(2, 3), A(3)),
    S("add", lambda t, a, b: a + b, A(), A(2)),
    S("add", lambda t, a: 2 + a, A(3)),
    S("add", lambda t, a, b: t.add(a, b, alpha=2), A(2, 1), A(1, 3)),
    S("sub", lambda t, a, b: a - b, A(2, 3), A(2, 1)),
    S("sub", lambda t, a: a - 2, A()),
    S("rsub", lambda t, a: 2 - a, A(3)),
    S("rsub_tensor", lambda t, a, b: t.rsub(a, b), A(3), A(2, 3)),
    S("mul", lambda t, a, b: a * b, A(2, 3), A(3)),
    S("mul", lambda t, a: 2 * a, A(2)),
    S("mul", lambda t, a, b: a * b, A(4, 1, 2), A(3, 1)),
    S("div", lambda t, a, b: a / b, A(2, 3), P(3)),
    S("div", lambda t, a: a / 2, A(3)),
    S("reciprocal", lambda t, a: 2 / a, P(3)),
    S("reciprocal", lambda t, a: a.reciprocal(), P(2, 2)),
    S("neg", lambda t, a: -a, A(2, 3)),
    S("pow", lambda t, a: a**2, A(3)),
    S("pow", lambda t, a: a**0.5, P(3)),
    S("pow", lambda t, a: a.pow(3), A()),
    S("pow", lambda t, a: a.square(), A(2, 2)),
    S("pow_tensor", lambda t, a, b: a**b, P(2, 3), A(3)),
    S("pow_scalar_base", lambda t, a: 2**a, A(3)),
    S("maximum", lambda t, a, b: t.maximum(a, b), A(2, 3), A(3)),
    S("maximum", lambda t, a, b: t.max(a, b), A(3), A(3)),
    S("minimum", lambda t, a, b: t.minimum(a, b), A(2, 3), A(2, 3)),
    S("atan2", lambda t, a, b: t.atan2(a, b), A(3), P(3)),
    S("fmod", lambda t, a: a.fmod(1.5), P(4)),
    S("fmod_tensor", lambda t, a, b: a.fmod(b), P(4), P(4), gradgrad=False),
    S("remainder", lambda t, a: a % 1.5, P(4)),
    S("remainder_tensor", lambda t, a, b: a % b, P(4), P(4), gradgrad=False),
    S("floor_divide", lambda t, a: a // 2, A(3), grads=False),
    S("where", lambda t, a, b: t.where(a > 0, a, b), A(2, 3), A(3)),
    S("where", lambda t, a: t.where(a > 0, a, 0.0), A(4)),
    S("lerp", lambda t, a, b: t.lerp(a, b, 0.3), A(3), A(2, 3)),
    S("lerp", lambda t, a, b: a.lerp(b, 0.7), A(2, 3), A(2, 3)),
    S("lerp_tensor", lambda t, a, b, c: t.lerp(a, b, c), A(3), A(2, 3), U(2, 3)),
    S(
        "lerp_tensor",
        lambda t, a, b, c: a.lerp(b, c),
        A(2, 3),
        A(3),
        A(3, domain="unit", grad=False),
    ),
    S("div_rounding", lambda t, a, b: a.div(b, rounding_mode="floor"), A(3), P(3), gradgrad=False),
    # unary
    S("exp", lambda t, a: a.exp(), A(2, 3)),
    S("exp", lambda t, a: t.exp(a), A()),
    S("exp2", lambda t, a: t.exp2(a), A(3)),
    S("expm1", lambda t, a: a.expm1(), A(3)),
    S("log", lambda t, a: a.log(), P(2, 3)),
    S("log2", lambda t, a: a.log2(), P(3)),
    S("log10", lambda t, a: t.log10(a), P(3)),
    S("log1p", lambda t, a: a.exp().log1p(), A(3)),
    S("sin", lambda t, a: a.sin(), A(2, 3)),
    S("cos", lambda t, a: t.cos(a), A(3)),
    S("tan", lambda t, a: a.tan(), U(3)),
    S("asin", lambda t, a: a.asin(), U(3)),
    S("acos", lambda t, a: t.acos(a), U(3)),
    S("atan", lambda t, a: a.atan(), A(3)),
    S("sinh", lambda t, a: a.sinh(), A(3)),
    S("cosh", lambda t, a: a.cosh(), A(3)),
    S("asinh", lambda t, a: a.asinh(), A(3)),
    S("acosh", lambda t, a: t.acosh(a + 2), P(3)),
    S("atanh", lambda t, a: a.atanh(), U(3)),
    S("erfc", lambda t, a: t.erfc(a), A(2, 3)),
    S("logit", lambda t, a: t.logit(a.sigmoid()), A(3)),
    S("logit", lambda t, a: a.logit(eps=0.2), U(4)),
    S("xlogy", lambda t, a, b: t.xlogy(a, b), A(2, 3), P(3)),
    S("xlogy_scalar_self", lambda t, b: t.xlogy(2.0, b), P(3)),
    S("xlogy_scalar_other", lambda t, a: a.xlogy(3.0), A(3)),
    S("hypot", lambda t, a, b: t.hypot(a, b), P(2, 3), P(3)),
    S("logaddexp", lambda t, a, b: t.logaddexp(a, b), A(2, 3), A(3)),
    S("sinc", lambda t, a: t.sinc(a), A(3)),
    S("nan_to_num", lambda t, a: t.nan_to_num(a), A(2, 3)),
    S("unique", lambda t, a: t.unique(a), A(5), grads=False, gradgrad=False),
    S("dist", lambda t, a, b: t.dist(a, b), A(2, 3), A(3)),
    S("dist", lambda t, a, b: a.dist(b, 3), A(4), A(4)),
    S("dist", lambda t, a, b: t.dist(a, b, p=1), A(4), A(4), gradgrad=False),
    S("deg2rad", lambda t, a: t.deg2rad(a), A(3)),
    S("rad2deg", lambda t, a: a.rad2deg(), A(3)),
    S("addcmul", lambda t, a, b, c: t.addcmul(a, b, c, value=0.5), A(2, 3), A(3), A(2, 3)),
    S("addcmul", lambda t, a, b, c: a.addcmul(b, c), A(3), A(3), A(3, grad=False)),
    S("addcdiv", lambda t, a, b, c: t.addcdiv(a, b, c, value=-2), A(3), A(3), P(3)),
    S("tanh", lambda t, a: a.tanh(), A(2, 3)),
    S("tanh", lambda t, a: f(t).tanh(a), A()),
    S("sigmoid", lambda t, a: a.sigmoid(), A(2, 3)),
    S("sigmoid", lambda t, a: f(t).sigmoid(a), A(3)),
    S("relu", lambda t, a: a.relu(), A(2, 3)),
    S("relu", lambda t, a: f(t).relu(a), A(4)),
    S("sqrt", lambda t, a: a.sqrt(), P(3)),
    S("rsqrt", lambda t, a: a.rsqrt(), P(3)),
    S("abs", lambda t, a: a.abs(), A(2, 3)),
    S("sign", lambda t, a: a.sign() * a, A(3)),
    S("floor", lambda t, a: a.floor(), A(3), gradgrad=False),
    S("ceil", lambda t, a: a.ceil(), A(3), gradgrad=False),
    S("round", lambda t, a: a.round(), A(3), gradgrad=False),
    S("trunc", lambda t, a: a.trunc(), A(3), gradgrad=False),
    S("frac", lambda t, a: a.frac(), A(3)),
    S("erf", lambda t, a: a.erf(), A(2, 3)),
    S("clamp", lambda t, a: a.clamp(-0.5, 0.5), A(2, 3)),
    S("clamp", lambda t, a: a.clamp(min=0), A(4)),
    S("clamp", lambda t, a: t.clamp(a, max=0.3), A(4)),
    S("clamp_tensor", lambda t, a, b, c: t.clamp(a, b, c), A(2, 3), A(3), A(2, 3)),
    S("clamp_tensor", lambda t, a, b: a.clamp(min=b), A(4), A()),
    S("clamp_tensor", lambda t, a, b: a.clamp(max=b), A(4), A(4, grad=False)),
    # activations
    S("leaky_relu", lambda t, a: f(t).leaky_relu(a, 0.1), A(2, 3)),
    S("elu", lambda t, a: f(t).elu(a), A(2, 3)),
    S("elu", lambda t, a: f(t).selu(a), A(2, 3)),
    S("threshold", lambda t, a: f(t).threshold(a, 0.1, -2.0), A(2, 3)),
    S("hardswish", lambda t, a: f(t).hardswish(a * 4), A(2, 3)),
    S("hardsigmoid", lambda t, a: f(t).hardsigmoid(a * 4), A(5)),
    S("mish", lambda t, a: f(t).mish(a), A(2, 3)),
    S("constant_pad_nd", lambda t, a: f(t).pad(a, (1, 2)), A(2, 3)),
    S("native_layer_norm", lambda t, a: f(t).layer_norm(a, (3,)), A(2, 3)),
    S(
        "native_layer_norm",
        lambda t, a, w, b: f(t).layer_norm(a, (2, 3), w, b, eps=1e-3),
        A(4, 2, 3),
        A(2, 3),
        A(2, 3),
    ),
    S("constant_pad_nd", lambda t, a: f(t).pad(a, (0, -1, 1, 0), value=0.5), A(2, 3)),
    S("embedding", lambda t, w: f(t).embedding(t.tensor([[0, 2], [3, 2]]), w), A(4, 3)),
    S(
        "embedding",
        lambda t, w: f(t).embedding(t.tensor([1, 0, 1]), w, padding_idx=1),
        A(2, 3),
        grads=False,  # padding_idx drops a gradient on purpose: no central difference matches
    ),
    S("hardtanh", lambda t, a: f(t).hardtanh(a), A(2, 3)),
    S("hardtanh", lambda t, a: f(t).relu6(a * 4), A(5)),
    S("elu", lambda t, a: t.selu(a), A(4)),
    S("celu", lambda t, a: f(t).celu(a, 0.5), A(2, 3)),
    S("celu", lambda t, a: t.celu(a), A(4)),
    S("celu", lambda t, a: f(t).celu(a, alpha=2.0), A(3)),
    S("gelu", lambda t, a: f(t).gelu(a), A(2, 3)),
    S("gelu", lambda t, a: f(t).gelu(a, approximate="tanh"), A(3)),
    S("silu", lambda t, a: f(t).silu(a), A(2, 3)),
    S("softplus", lambda t, a: f(t).softplus(a), A(2, 3)),
    S("softmax", lambda t, a: t.softmax(a, 1), A(2, 3)),
    S("softmax", lambda t, a: f(t).softmax(a, dim=0), A(4)),
    S("log_softmax", lambda t, a: t.log_softmax(a, -1), A(2, 3)),
    S("log_softmax", lambda t, a: f(t).log_softmax(a, dim=0), A(3)),
    # reductions
    S("sum", lambda t, a: a.sum(), A(2, 3)),
    S("sum", lambda t, a: t.sum(a), A()),
    S("sum_dim", lambda t, a: a.sum(0), A(2, 3)),
    S("sum_dim", lambda t, a: a.sum(dim=1, keepdim=True), A(2, 3)),
    S("sum_dim", lambda t, a: a.sum((0, 2)), A(2, 3, 2)),
    S("mean", lambda t, a: a.mean(), A(2, 3)),
    S("mean_dim", lambda t, a: a.mean(0), A(2, 3)),
    S("mean_dim", lambda t, a: a.mean((0, 1), keepdim=True), A(2, 3)),
    S("prod", lambda t, a: a.prod(), A(2, 3)),
    S("prod_dim", lambda t, a: a.prod(1), A(2, 3)),
    S("max", lambda t, a: a.max(), A(2, 3)),
    S("min", lambda t, a: a.min(), A(5)),
    S("amax", lambda t, a: a.amax(1), A(2, 3)),
    S("amin", lambda t, a: a.amin(0), A(2, 3)),
    S("max_dim", lambda t, a: a.max(0).values, A(2, 3)),
    S("max_dim", lambda t, a: a.max(1, keepdim=True)[0], A(2, 3)),
    S("min_dim", lambda t, a: t.min(a, 1).values, A(2, 3)),
    S("sort", lambda t, a: a.sort(1).values, A(2, 3)),
    S("sort", lambda t, a: a.sort(descending=True).values, A(4)),
    S("topk", lambda t, a: a.topk(2).values, A(2, 4)),
    S("var", lambda t, a: a.var(), A(2, 3)),
    S("var", lambda t, a: a.var(0), A(3, 2)),
    S("std", lambda t, a: a.std(), A(4)),
    S("std", lambda t, a: a.std(1, keepdim=True), A(2, 3)),
    S("norm", lambda t, a: a.norm(), A(2, 3)),
    S("norm", lambda t, a: a.norm(dim=1), A(2, 3)),
    S("norm", lambda t, a: t.linalg.vector_norm(a, 1), A(3)),
    S("cumsum", lambda t, a: a.cumsum(1), A(2, 3)),
    S("cumprod", lambda t, a: a.cumprod(0), P(4)),
    S("logsumexp", lambda t, a: a.logsumexp(1), A(2, 3)),
    S("logsumexp", lambda t, a: t.logsumexp(a, 0, keepdim=True), A(3)),
    # gather / scatter / select-like
    S("gather", lambda t, a: a.gather(1, t.tensor([[0, 0], [1, 2]])), A(2, 3)),
    S("scatter", lambda t, a, b: a.scatter(1, t.tensor([[0], [2]]), b), A(2, 3), A(2, 1)),
    S("scatter_add", lambda t, a, b: a.scatter_add(0, t.tensor([[0, 1, 0]]), b), A(2, 3), A(1, 3)),
    S("index_select", lambda t, a: a.index_select(1, t.tensor([0, 2, 0])), A(2, 3)),
    S("index_add", lambda t, a, b: a.index_add(0, t.tensor([0, 0]), b), A(2, 3), A(2, 3)),
    S("masked_fill", lambda t, a: a.masked_fill(a > 0, 0.5), A(2, 3)),
    S("masked_select", lambda t, a: a.masked_select(a > 0), A(2, 3)),
    # linear algebra
    S("mm", lambda t, a, b: a @ b, A(2, 3), A(3, 4)),
    S("mm", lambda t, a, b: t.mm(a, b), A(1, 2), A(2, 2)),
    S("bmm", lambda t, a, b: t.bmm(a, b), A(2, 2, 3), A(2, 3, 2)),
    S("bmm", lambda t, a, b: a @ b, A(2, 2, 3), A(2, 3, 2)),
    S("mv", lambda t, a, b: a @ b, A(2, 3), A(3)),
    S("dot", lambda t, a, b: a @ b, A(3), A(3)),
    S("dot", lambda t, a, b: t.dot(a, b), A(4), A(4)),
    S("addmm", lambda t, x, w, b: f(t).linear(x, w, b), A(2, 3), A(4, 3), A(4)),
    S("det", lambda t, a: (a + 3 * t.eye(3, dtype=a.dtype)).det(), A(3, 3)),
    S("inverse", lambda t, a: (a + 3 * t.eye(2, dtype=a.dtype)).inverse(), A(2, 2)),
    S("inverse", lambda t, a: t.linalg.inv(a + 3 * t.eye(2, dtype=a.dtype)), A(2, 2)),
    S(
        "linalg_solve",
        lambda t, a, b: t.linalg.solve(a + 3 * t.eye(2, dtype=a.dtype), b),
        A(2, 2),
        A(2),
    ),
    S(
        "linalg_solve",
        lambda t, a, b: t.linalg.solve(a + 3 * t.eye(3, dtype=a.dtype), b),
        A(3, 3),
        A(3, 2),
    ),
    S("trace", lambda t, a: a.trace(), A(3, 3)),
    S("diag", lambda t, a: a.diag(), A(3, 3)),
    S("tril", lambda t, a: a.tril(), A(3, 3)),
    S("triu", lambda t, a: a.triu(1), A(3, 3)),
    S("squeeze_dims", lambda t, a, b: a @ b, A(3), A(3, 2)),
    S("linalg_cross", lambda t, a, b: t.linalg.cross(a, b), A(4, 3), A(4, 3)),
    S("linalg_cross", lambda t, a, b: t.linalg.cross(a, b, dim=0), A(3, 2), A(3, 1)),
    S("linalg_cross", lambda t, a, b: t.cross(a, b, dim=1), A(2, 3), A(2, 3)),
    S("linalg_cross", lambda t, a, b: a.cross(b), A(3), A(3), tags=("warns",)),
    S("linalg_cross", lambda t, a, b: t.cross(a, b), A(3, 2), A(3, 1), tags=("warns",)),
    S("cdist", lambda t, a, b: t.cdist(a, b), A(3, 2), A(4, 2), gradgrad=False),
    S("cdist", lambda t, a, b: t.cdist(a, b), A(2, 3, 5), A(1, 4, 5), gradgrad=False),
    S("cdist", lambda t, a, b: t.cdist(a, b, p=1), A(2, 3), A(4, 3), gradgrad=False),
    S("cdist", lambda t, a, b: t.cdist(a, b, float("inf")), A(2, 3), A(3, 3), gradgrad=False),
    S("cdist", lambda t, a, b: t.cdist(a, b, p=3), A(2, 2), A(3, 2), gradgrad=False),
    S("cdist", lambda t, a, b: t.cdist(a, b, p=1.5), A(2, 4), A(2, 4), gradgrad=False),
    S(
        "cdist_backward",
        _dbl(lambda t, a, b: t.cdist(a, b)),
        A(3, 2),
        A(4, 2),
        grads=False,  # PyTorch: "the derivative for '_cdist_backward' is not implemented."
        gradgrad=False,
    ),
    S("unsafe_view", lambda t, a, b: t.kron(a, b), A(2, 3), A(2, 1, 2)),
    S("unsafe_view", lambda t, a, b: a.kron(b), A(2), A(3)),
    S("unsafe_view", lambda t, a, b: t.kron(a, b), A(), A(2, 2)),
    S("unsafe_view", lambda t, a, b: a @ b, A(2, 2, 3), A(3, 2)),
    S("unsafe_view", lambda t, a: a.t().reshape(-1), A(2, 3)),
    # views and shape
    S("view", lambda t, a: a.view(-1), A(2, 3)),
    S("view", lambda t, a: a.reshape(3, 2), A(2, 3)),
    S("view", lambda t, a: a.flatten(), A(2, 3)),
    S("alias", lambda t, a: a[...], A(3)),
    S("unsqueeze", lambda t, a: a.unsqueeze(0), A(3)),
    S("unsqueeze", lambda t, a: a[None], A(3)),
    S("squeeze", lambda t, a: a.squeeze(), A(1, 3, 1)),
    S("squeeze_dim", lambda t, a: a.squeeze(0), A(1, 3)),
    S("expand", lambda t, a: a.expand(2, 3), A(1, 3)),
    S("expand", lambda t, a: a.expand(2, 3), A(3)),
    S("transpose", lambda t, a: a.transpose(0, 1), A(2, 3)),
    S("t", lambda t, a: a.t(), A(2, 3)),
    S("permute", lambda t, a: a.T, A(2, 3)),
    S("permute", lambda t, a: a.permute(2, 0, 1), A(2, 3, 2)),
    S("select", lambda t, a: a[1], A(2, 3)),
    S("select", lambda t, a: a[:, 0], A(2, 3)),
    S("select", lambda t, a: a[0, 1], A(2, 3)),
    S("slice", lambda t, a: a[1:], A(4)),
    S("slice", lambda t, a: a[0, 1:], A(2, 3)),
    S("slice", lambda t, a: a.narrow(1, 1, 2), A(2, 3)),
    S("index", lambda t, a: a[[0, 2]], A(3)),
    S("index", lambda t, a: a[a > 0], A(2, 3)),
    S("index", lambda t, a: a[:, [0, 2]], A(2, 3)),
    S("split", lambda t, a: a.split(1)[0], A(2, 3)),
    S("split", lambda t, a: a.chunk(2, 1)[1], A(2, 3)),
    S("split_with_sizes", lambda t, a: a.split([1, 2], 1)[1], A(2, 3)),
    S("unbind", lambda t, a: a.unbind(1)[2], A(2, 3)),
    S("cat", lambda t, a, b: t.cat([a, b], 1), A(2, 3), A(2, 2)),
    S("cat", lambda t, a, b: t.cat([a, b]), A(3), A(2)),
    S("stack", lambda t, a, b: t.stack([a, b]), A(2, 3), A(2, 3)),
    S("stack", lambda t, a, b: t.stack([a, b], 1), A(3), A(3)),
    S("clone", lambda t, a: a.clone(), A(2, 3)),
    S("clone", lambda t, a: a.T.contiguous(), A(2, 3)),
    S("to_copy", _to_other, A(2, 3), tags=("lowprec",)),
    S("repeat", lambda t, a: a.repeat(2, 1), A(2, 3)),
    S("repeat", lambda t, a: a.repeat(2), A(3)),
    # repeat_interleave: int repeats are unsqueeze/expand/clone/view, a tensor an index_select
    S("clone", lambda t, a: a.repeat_interleave(2), A(2, 3)),
    S("clone", lambda t, a: a.repeat_interleave(3, dim=1), A(2, 3)),
    S("clone", lambda t, a: t.repeat_interleave(a, 2, -2), A(2, 2)),
    S("clone", lambda t, a: a.repeat_interleave(2), A()),
    S("index_select", lambda t, a: a.repeat_interleave(t.tensor([1, 0, 2]), dim=1), A(2, 3)),
    S("index_select", lambda t, a: t.repeat_interleave(a, t.tensor([2, 1, 0, 3])), A(2, 2)),
    S("index_select", lambda t, a: a.repeat_interleave(t.tensor(2), dim=0), A(2, 3)),
    S("flip", lambda t, a: a.flip(0), A(2, 3)),
    S("roll", lambda t, a: a.roll(1, 1), A(2, 3)),
    # in place and engine-made nodes
    S("copy_slices", _setitem, A(3), A()),
    S("zero", _zero, A(3)),
    S("fill", _fill, A(3)),
    S("inplace_copy", _copy_, A(3), A(3)),
    S("index_backward", _index_double, A(3), names=False),
    S("tanh_backward", _dbl(lambda t, a: a.tanh()), A(3)),
    S("mul_scalar", _dbl(lambda t, a: a**3), A(3)),
    S("add_scalar", _dbl(lambda t, a: a.tan()), U(3)),
    S(
        "div_scalar",
        _dbl(lambda t, a: f(t).binary_cross_entropy_with_logits(a, t.ones(3, dtype=a.dtype))),
        A(3),
    ),
    S("sgn", lambda t, a: a.sgn() * a, A(3)),
    S("sigmoid_backward", _dbl(lambda t, a: a.sigmoid()), A(3)),
    S("threshold_backward", _dbl(lambda t, a: a.relu() ** 2), A(4), names=False),
    S("threshold_backward", _dbl(lambda t, a: a.relu()), A(4)),
    S("softmax_backward_data", _dbl(lambda t, a: t.softmax(a, 1) ** 2), A(2, 3), names=False),
    S("log_softmax_backward_data", _dbl(lambda t, a: t.log_softmax(a, 0) ** 2), A(3), names=False),
    S("mse_loss_backward", _dbl(lambda t, a, b: f(t).mse_loss(a, b)), A(3), A(3)),
    S("nll_loss_backward", _nll_double, A(3, 3)),
    S(
        "binary_cross_entropy_backward",
        _dbl(lambda t, a, b: f(t).binary_cross_entropy(a, b)),
        Arg((4,), "prob"),
        Arg((4,), "prob"),
    ),
    S(
        "binary_cross_entropy_backward",
        _dbl(lambda t, a, b: f(t).binary_cross_entropy(a, b, reduction="sum")),
        Arg((2, 3), "prob"),
        Arg((2, 3), "prob", grad=False),
    ),
    S("smooth_l1_loss_backward", _dbl(lambda t, a, b: f(t).smooth_l1_loss(a, b)), A(4), A(4)),
    S(
        "smooth_l1_loss_backward",
        _dbl(lambda t, a, b: f(t).smooth_l1_loss(a, b, reduction="sum", beta=0.5)),
        A(2, 3),
        A(2, 3),
    ),
    S("huber_loss_backward", _dbl(lambda t, a, b: f(t).huber_loss(a, b, delta=0.5)), A(4), A(4)),
    S(
        "huber_loss_backward",
        _dbl(lambda t, a, b: f(t).huber_loss(a, b, reduction="none")),
        A(2, 3),
        A(2, 3),
    ),
    S("leaky_relu_backward", _dbl(lambda t, a: f(t).leaky_relu(a, 0.2)), A(4)),
    S("elu_backward", _dbl(lambda t, a: f(t).elu(a)), A(4), gradgrad=False),
    S("elu_backward", _dbl(lambda t, a: f(t).selu(a)), A(4), gradgrad=False),
    S("elu_backward", _dbl(lambda t, a: f(t).celu(a, 0.5)), A(4), gradgrad=False),
    S("hardtanh_backward", _dbl(lambda t, a: f(t).hardtanh(a, -0.5, 0.5)), A(4)),
    S("softplus_backward", _dbl(lambda t, a: f(t).softplus(a)), A(4), gradgrad=False),
    S("gelu_backward", _dbl(lambda t, a: f(t).gelu(a)), A(4), gradgrad=False),
    S("gelu_backward", _dbl(lambda t, a: f(t).gelu(a, approximate="tanh")), A(3), gradgrad=False),
    S("as_strided", _view_inplace, A(4)),
    S("inplace_copy", _grad_copy, A(3), tags=("warns",)),
    # losses
    S("mse_loss", lambda t, a, b: f(t).mse_loss(a, b), A(2, 3), A(2, 3)),
    S("mse_loss", lambda t, a, b: f(t).mse_loss(a, b, reduction="sum"), A(3), A(3, grad=False)),
    S("nll_loss", lambda t, a: f(t).nll_loss(a.log_softmax(1), t.tensor([0, 2])), A(2, 3)),
    S("nll_loss", lambda t, a: f(t).cross_entropy(a, t.tensor([1, 0, 2])), A(3, 3)),
    S("nll_loss", lambda t, a: f(t).cross_entropy(a, t.tensor([1, 0]), reduction="sum"), A(2, 4)),
    S(
        "binary_cross_entropy",
        lambda t, a, b: f(t).binary_cross_entropy(a.sigmoid(), b),
        A(3),
        Arg((3,), "prob"),
    ),
    S(
        "binary_cross_entropy_with_logits",
        lambda t, a, b: f(t).binary_cross_entropy_with_logits(a, b),
        A(2, 3),
        Arg((2, 3), "prob"),
    ),
    S(
        "smooth_l1_loss",
        lambda t, a, b: f(t).smooth_l1_loss(a, b),
        A(2, 3),
        A(2, 3),
    ),
    S(
        "huber_loss",
        lambda t, a, b: f(t).huber_loss(a, b, delta=0.5),
        A(2, 3),
        A(2, 3),
    ),
]
