"""PyTorch's CPU random number generator, reproduced bit for bit on numpy.

Owns `Generator` (torch's `CPUGeneratorImpl` plus the CPU sampling kernels of `rand`, `randn`,
`randint`, `randperm`, `normal_` and `uniform_`) and `default_generator`.

The word stream is MT19937 with the standard 32-bit seeding recurrence, which numpy's
`MT19937._legacy_seeding` reproduces. The kernels follow ATen's x86-64 AVX2 build
(reference §1): the float32 normal kernel for numel >= 16 is the 8-lane "avx_mathfun"
log/sincos in float32 with GCC's fused multiply-adds, which this module emulates exactly:

* float32 FMA `a*b + c`: the product of two float32 is exact in float64; the float64 sum is
  made round-to-odd (TwoSum gives the exact error; an inexact sum with an even last bit is
  moved one ulp towards the error) and then rounded to float32. Rounding to odd with at least
  two extra bits and then to nearest gives the correctly rounded result (Boldo & Melquiond).
  Only sums that land exactly on a float32 rounding midpoint (or in float32's subnormal
  range) can be misrounded by the plain float64 sum, so only those take this path.
* float64 FMA: exact product by Dekker's TwoProduct, TwoSum with the addend, the two low
  parts added with rounding to odd, then one last rounded addition (Boldo & Melquiond 2008).

Every float64 transcendental (log, log1p, cos, sin) goes through Python's `math`, i.e. the
platform libm that torch calls too; numpy's own SIMD versions differ in the last bit.

Torch itself gives other float32 `randn` bits (numel >= 16) on AVX-512 and non-x86 builds,
and an unfused affine step in `uniform_(a, b)` / `normal_(mean, std)` on DEFAULT builds;
gradlang always gives the AVX2 bits, the same on every machine.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

_U64 = 2**64
_MASK24 = np.uint64((1 << 24) - 1)
_MASK53 = np.uint64((1 << 53) - 1)
_TWO_PI = 2.0 * math.pi
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_NORMAL_FILL_MIN = 16
_RANDINT_WIDE_RANGE = 1 << 28
_RANDPERM_WIDE_N = (2**32 - 1) // 20
_LOW29 = np.int64((1 << 29) - 1)  # float64 mantissa bits below float32's last bit
_MIDPOINT29 = np.int64(1 << 28)  # ...set exactly like a float32 rounding midpoint
_F32_TINY = 2.0**-125


# --------------------------------------------------------------------------- exact FMA


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _round_to_odd(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """The float64 nearest-rounded sum `s` (exact value s+err) re-rounded to odd."""
    bits = np.ascontiguousarray(s, dtype=np.float64).view(np.int64)
    inexact_even = (err != 0) & ((bits & 1) == 0)
    step = np.where((err > 0) == (s > 0), 1, -1).astype(np.int64)
    return (bits + np.where(inexact_even, step, 0)).view(np.float64)


def fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """float32 `a*b + c` with one rounding (see the module docstring).

    Fast path: the float64 sum `s` of the exact product and `c` rounds to the right float32
    unless `s` sits exactly on a float32 rounding midpoint (then the float64 rounding may
    have moved it there) or is in float32's subnormal range; only those few elements take the
    round-to-odd path.
    """
    a32 = np.asarray(a, np.float32)
    b32 = np.asarray(b, np.float32)
    c32 = np.asarray(c, np.float32)
    p = np.multiply(a32, b32, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.asarray(p + c32)
        out = s.astype(np.float32)
        low_bits = s.reshape(-1).view(np.int64) & _LOW29
        suspect = (low_bits == _MIDPOINT29).reshape(s.shape) | (np.abs(s) < _F32_TINY)
        if np.any(suspect):
            ps = np.broadcast_to(p, s.shape)[suspect]
            cs = np.broadcast_to(c32, s.shape)[suspect].astype(np.float64)
            exact = _round_to_odd(*_two_sum(ps, cs))
            out[suspect] = np.where(np.isfinite(exact), exact, ps + cs).astype(np.float32)
    return out


_ONE64 = np.array(1.0)  # ufuncs take a 0-dim array faster than the Python float 1.0
_ONE64.flags.writeable = False


def one_minus_square(y: np.ndarray) -> np.ndarray:
    """`fma(-y, y, 1)`: 1 - y*y with one rounding (ATen's tanh_backward), in y's dtype.

    float32 (the hot path of every tanh network's backward) by float64: y*y is exact there,
    and so is `1 - y*y` when |y| >= 2**-3 (y*y's lowest bit is then at least the result's
    last float64 bit), so rounding it to float32 rounds once, as the fma does. Below 2**-3
    the float64 subtraction rounds too, which changes the float32 result only when it lands
    exactly on a float32 rounding midpoint: about one such element in 2**29. Detecting those
    costs more than the whole computation (5-6 us a call in a training step), so this path
    accepts that one-in-500-million last-bit difference (docs/differences.md); `fma32` is
    the exact emulation where it matters more than speed."""
    if y.dtype != np.float32:
        return np.asarray(fma64(-y, y, 1.0), y.dtype)
    wide = y.astype(np.float64)
    np.multiply(wide, wide, out=wide)
    np.subtract(_ONE64, wide, out=wide)
    return wide.astype(np.float32)


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = a * b
    split = 134217729.0  # 2**27 + 1 (Veltkamp)
    ta = split * a
    ah = ta - (ta - a)
    al = a - ah
    tb = split * b
    bh = tb - (tb - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """float64 `a*b + c` with one rounding (Boldo-Melquiond emulation)."""
    a64 = np.asarray(a, np.float64)
    b64 = np.asarray(b, np.float64)
    c64 = np.asarray(c, np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        uh, ul = _two_prod(a64, b64)
        th, tl = _two_sum(c64, uh)
        vs, verr = _two_sum(tl, ul)
        out = th + _round_to_odd(vs, verr)
    finite = np.isfinite(out)
    if not np.all(finite):  # overflow or non-finite inputs: the plain formula is right there
        out = np.where(finite, out, a64 * b64 + c64)
    return out


# --------------------------------------------------------------------------- avx_mathfun


def _f32(x: float) -> np.float32:
    return np.float32(x)


_MIN_NORM_POS = _f32(1.17549435e-38)
_SQRTHF = _f32(0.707106781186547524)
_LOG_P = [
    _f32(v)
    for v in (
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    )
]
_LOG_Q1 = _f32(-2.12194440e-4)
_LOG_Q2 = _f32(0.693359375)
_FOPI = _f32(1.27323954473516)
_MINUS_DP = (_f32(-0.78515625), _f32(-2.4187564849853515625e-4), _f32(-3.77489497744594108e-8))
_SINCOF = (_f32(-1.9515295891e-4), _f32(8.3321608736e-3), _f32(-1.6666654611e-1))
_COSCOF = (
    _f32(2.443315711809948e-005),
    _f32(-1.388731625493765e-003),
    _f32(4.166664568298827e-002),
)
_ONE = _f32(1.0)
_HALF = _f32(0.5)


def _log_avx2(x: np.ndarray) -> np.ndarray:
    """log256_ps of avx_mathfun.h for positive float32 input, GCC's contractions included."""
    x = np.maximum(x.astype(np.float32), _MIN_NORM_POS)
    bits = x.view(np.int32)
    exponent = (bits >> 23) - 0x7F
    x = ((bits & ~0x7F800000) | 0x3F000000).view(np.float32)
    e = exponent.astype(np.float32) + _ONE
    below = x < _SQRTHF
    tmp = np.where(below, x, _f32(0.0))
    x = x - _ONE
    e = e - np.where(below, _ONE, _f32(0.0))
    x = x + tmp
    z = x * x
    y = fma32(_LOG_P[0], x, _LOG_P[1])
    for coef in _LOG_P[2:]:
        y = fma32(y, x, coef)
    y = y * x
    y = fma32(y, z, e * _LOG_Q1)
    y = y - z * _HALF
    return fma32(e, _LOG_Q2, x + y)


def _sincos_avx2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sincos256_ps of avx_mathfun.h for float32 input, GCC's contractions included."""
    sign_in = np.signbit(x)
    x = np.abs(x)
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(np.float32)
    sin_flip = sign_in ^ ((j & 4) != 0)
    poly_mask = (j & 2) == 0
    for dp in _MINUS_DP:
        x = fma32(y, dp, x)
    cos_flip = ((j - 2) & 4) == 0
    z = x * x
    yc = fma32(_COSCOF[0], z, _COSCOF[1])
    yc = fma32(yc, z, _COSCOF[2])
    yc = yc * z
    yc = fma32(yc, z, -(z * _HALF))
    yc = yc + _ONE
    ys = fma32(_SINCOF[0], z, _SINCOF[1])
    ys = fma32(ys, z, _SINCOF[2])
    ys = ys * z
    ys = fma32(ys, x, x)
    zero = np.float32(0.0)
    ysin2 = np.where(poly_mask, ys, zero)
    ysin1 = np.where(poly_mask, zero, yc)
    ys = ys - ysin2
    yc = yc - ysin1
    sin = ysin1 + ysin2
    cos = yc + ys
    return np.where(sin_flip, -sin, sin), np.where(cos_flip, -cos, cos)


# --------------------------------------------------------------------------- Box-Muller


def _libm(fn: Any, values: np.ndarray) -> np.ndarray:
    flat = map(fn, values.ravel().tolist())
    return np.fromiter(flat, dtype=np.float64, count=values.size).reshape(values.shape)


def _box_muller16_f32(d: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    """normal_fill_16_AVX2 applied to every row of a (m, 16) float32 array of uniforms."""
    u1 = _ONE - d[:, :8]
    u2 = d[:, 8:]
    radius = np.sqrt(_f32(-2.0) * _log_avx2(u1))
    theta = _f32(_TWO_PI) * u2
    sin, cos = _sincos_avx2(theta)
    out = np.empty_like(d)
    out[:, :8] = fma32(radius * cos, std, mean)
    out[:, 8:] = fma32(radius * sin, std, mean)
    return out


def _box_muller16_f64(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """normal_fill_16<double> applied to every row of a (m, 16) float64 array of uniforms."""
    u1 = 1.0 - d[:, :8]
    u2 = d[:, 8:]
    radius = np.sqrt(-2.0 * _libm(math.log, u1))
    theta = _TWO_PI * u2
    out = np.empty_like(d)
    out[:, :8] = fma64(radius * _libm(math.cos, theta), std, mean)
    out[:, 8:] = fma64(radius * _libm(math.sin, theta), std, mean)
    return out


def _memory_order(out: np.ndarray) -> np.ndarray:
    """A view of `out` whose C order is the order ATen's TensorIterator visits elements."""
    if out.flags.c_contiguous or out.ndim < 2:
        return out
    axes = sorted(range(out.ndim), key=lambda ax: -abs(out.strides[ax]))
    return out.transpose(axes)


@dataclass(frozen=True)
class GeneratorState:
    """What `Generator.get_state` returns; `set_state` accepts only this."""

    bits: Any
    seed: int
    cached_normal: float | None


class Generator:
    """torch's CPU generator: MT19937 words, a cached normal sample, and the sampling kernels."""

    def __init__(self, seed: int = 0) -> None:
        # numpy's MT19937, made and seeded on first use (importing numpy.random costs ~9 ms
        # of startup that programs without random numbers need not pay)
        self._mt: Any = None
        self._seed = 0
        self._cached_normal: float | None = None
        self.manual_seed(seed)

    # ----------------------------------------------------------------- state

    def manual_seed(self, seed: int) -> None:
        """Seed like torch: any int in [-2**63, 2**64); only the low 32 bits feed MT19937."""
        seed = int(seed)
        if not -(2**63) <= seed < _U64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % _U64
        if self._mt is not None:
            self._mt._legacy_seeding(self._seed & 0xFFFFFFFF)
        self._cached_normal = None

    @property
    def _bits(self) -> Any:
        """The MT19937 word stream (made on first use, seeded with the current seed)."""
        mt = self._mt
        if mt is None:
            from gradlang.autograd.mt19937 import MT19937

            mt = self._mt = MT19937()
            mt._legacy_seeding(self._seed & 0xFFFFFFFF)
        return mt

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> object:
        """An opaque snapshot: MT19937 words and position, the seed, the cached normal."""
        return GeneratorState(copy.deepcopy(self._bits.state), self._seed, self._cached_normal)

    def set_state(self, state: object) -> None:
        if not isinstance(state, GeneratorState):
            raise TypeError("set_state expects a state returned by get_state")
        self._bits.state = copy.deepcopy(state.bits)
        self._seed = state.seed
        self._cached_normal = state.cached_normal

    # ----------------------------------------------------------------- raw draws

    def _random32(self, n: int) -> np.ndarray:
        if n <= 0:
            return np.zeros(0, dtype=np.uint64)
        return self._bits.random_raw(n)

    def _random64(self, n: int) -> np.ndarray:
        words = self._random32(2 * n)
        return (words[0::2] << np.uint64(32)) | words[1::2]

    def _uniform(self, n: int, dtype: np.dtype) -> np.ndarray:
        """n values in [0, 1) of the dtype, as ATen's uniform_real_distribution(0, 1)."""
        if dtype == _F32:
            return (self._random32(n) & _MASK24).astype(np.float32) * _f32(2.0**-24)
        return (self._random64(n) & _MASK53).astype(np.float64) * 2.0**-53

    def _scalar_normals(self, n: int) -> np.ndarray:
        """n standard normals from the scalar double Box-Muller with the one-value cache."""
        values: list[float] = []
        if n > 0 and self._cached_normal is not None:
            values.append(self._cached_normal)
            self._cached_normal = None
        pairs = (n - len(values) + 1) // 2
        if pairs:
            u = (self._random64(2 * pairs) & _MASK53).astype(np.float64) * 2.0**-53
            u1, u2 = u[0::2], u[1::2]
            radius = np.sqrt(-2.0 * _libm(math.log1p, -u2))
            theta = _TWO_PI * u1
            cos = radius * _libm(math.cos, theta)
            sin = radius * _libm(math.sin, theta)
            fresh = np.empty(2 * pairs)
            fresh[0::2] = cos
            fresh[1::2] = sin
            values.extend(fresh.tolist())
            if len(values) > n:
                self._cached_normal = values.pop()
        return np.asarray(values, dtype=np.float64)

    # ----------------------------------------------------------------- kernels

    def normal_(self, out: np.ndarray, mean: float = 0.0, std: float = 1.0) -> None:
        """Fill `out` (float32/float64) in place as torch's `Tensor.normal_(mean, std)`."""
        dtype = _check_float(out.dtype)
        if not std >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")
        n = out.size
        if n >= _NORMAL_FILL_MIN and out.flags.c_contiguous:
            out.reshape(-1)[...] = self._normal_fill(n, dtype, mean, std)
            return
        values = fma64(self._scalar_normals(n), float(std), float(mean)).astype(dtype)
        _memory_order(out)[...] = values.reshape(_memory_order(out).shape)

    def _normal_fill(self, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
        d = self._uniform(n, dtype)
        full = n - n % 16
        if dtype == _F32:
            transform: Any = _box_muller16_f32
            m: Any = _f32(mean)
            s: Any = _f32(std)
        else:
            transform, m, s = _box_muller16_f64, float(mean), float(std)
        d[:full] = transform(d[:full].reshape(-1, 16), m, s).reshape(-1)
        if full != n:
            tail = self._uniform(16, dtype)
            d[n - 16 :] = transform(tail.reshape(1, 16), m, s).reshape(-1)
        return d

    def uniform_(self, out: np.ndarray, a: float = 0.0, b: float = 1.0) -> None:
        """Fill `out` (float32/float64) in place as torch's `Tensor.uniform_(a, b)`."""
        dtype = _check_float(out.dtype)
        _check_uniform_bounds(float(a), float(b), dtype)
        low = np.asarray(a, dtype)
        high = np.asarray(b, dtype)
        x = self._uniform(out.size, dtype)
        fma = fma32 if dtype == _F32 else fma64
        values = np.asarray(fma(x, high - low, low), dtype)
        values = np.where(values == high, low, values).astype(dtype)
        view = _memory_order(out)
        view[...] = values.reshape(view.shape)

    def rand(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        out = np.empty(shape, dtype=_check_float(np.dtype(dtype)))
        self.uniform_(out)
        return out

    def randn(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        out = np.empty(shape, dtype=_check_float(np.dtype(dtype)))
        self.normal_(out)
        return out

    def randint(self, low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
        """int64 values in [low, high): one draw per element, modulo the range."""
        for bound in (low, high):
            if not -(2**63) <= bound < 2**63:
                raise ValueError("Overflow when unpacking long long")
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        span = high - low
        n = math.prod(shape)
        if span >= _RANDINT_WIDE_RANGE:
            words = self._random64(n)
        else:
            words = self._random32(n)
        drawn = words % np.uint64(span)
        return (drawn.astype(np.int64) + np.int64(low)).reshape(shape)

    def randperm(self, n: int) -> np.ndarray:
        """torch.randperm(n): a forward Fisher-Yates shuffle of arange(n)."""
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
        perm = list(range(n))
        if n > 1:
            words = self._random32(n - 1) if n < _RANDPERM_WIDE_N else self._random64(n - 1)
            offsets = (words % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
            for i, z in enumerate(offsets):
                j = i + z
                perm[i], perm[j] = perm[j], perm[i]
        return np.asarray(perm, dtype=np.int64)


def _g(value: float) -> str:
    """A double as C++'s `operator<<` prints it (torch's messages): `%g`, 6 digits."""
    return f"{value:g}"


def _check_uniform_bounds(low: float, high: float, dtype: np.dtype) -> None:
    """uniform_'s argument checks, in torch's order and with its messages."""
    name, c_name = ("float", "Float") if dtype == _F32 else ("double", "Double")
    limit = float(np.finfo(dtype).max)
    for label, bound in (("from", low), ("to", high)):
        if not -limit <= bound <= limit:
            raise RuntimeError(f"{label} is out of bounds for {name}")
    if low > high:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={_g(low)} > to={_g(high)}"
        )
    if high - low > limit:
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<{c_name}>::max(), but found "
            f"to={_g(high)} and from={_g(low)} which result in to-from to exceed the limit"
        )


def _check_float(dtype: np.dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (_F32, _F64):
        raise TypeError(f"random floats need float32 or float64, got {dtype}")
    return dtype


default_generator = Generator(0)
