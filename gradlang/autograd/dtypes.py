"""Tensor dtypes (`torch.float32` ...) and PyTorch's type promotion."""

from __future__ import annotations

from typing import Any

import numpy as np


class DType:
    """A tensor element type; prints as `torch.float32`."""

    __slots__ = (
        "name",
        "np",
        "is_floating_point",
        "is_complex",
        "is_signed",
        "itemsize",
        "category",
        "tensor_type",
        "short",
        "scalar",
    )

    def __init__(
        self, name: str, np_type: type, category: int, tensor_type: str, short: str
    ) -> None:
        self.name = name
        self.np: np.dtype[Any] = np.dtype(np_type)
        self.scalar: type[np.generic] = self.np.type  # the numpy scalar class (np.float32, ...)
        self.category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_complex = False
        self.is_signed = name not in ("bool", "uint8")
        self.itemsize = self.np.itemsize
        self.tensor_type = tensor_type
        self.short = short

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def to_complex(self) -> DType:
        return self

    def __reduce__(self) -> str:
        return self.name


float16 = DType("float16", np.float16, 2, "torch.HalfTensor", "Half")
float32 = DType("float32", np.float32, 2, "torch.FloatTensor", "Float")
float64 = DType("float64", np.float64, 2, "torch.DoubleTensor", "Double")
uint8 = DType("uint8", np.uint8, 1, "torch.ByteTensor", "Byte")
int8 = DType("int8", np.int8, 1, "torch.CharTensor", "Char")
int16 = DType("int16", np.int16, 1, "torch.ShortTensor", "Short")
int32 = DType("int32", np.int32, 1, "torch.IntTensor", "Int")
int64 = DType("int64", np.int64, 1, "torch.LongTensor", "Long")
bool_ = DType("bool", np.bool_, 0, "torch.BoolTensor", "Bool")

ALL: tuple[DType, ...] = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)
BY_NP: dict[np.dtype, DType] = {d.np: d for d in ALL}
BY_NAME: dict[str, DType] = {d.name: d for d in ALL}
ALIASES: dict[str, DType] = {
    "float": float32,
    "double": float64,
    "half": float16,
    "long": int64,
    "int": int32,
    "short": int16,
    "bool": bool_,
}
DEFAULT_FLOAT = float32


def from_numpy(dt: np.dtype) -> DType:
    """The DType of a numpy dtype (falls back to float64/int64 for other numpy kinds)."""
    found = BY_NP.get(dt)
    if found is not None:
        return found
    if dt.kind == "f":
        return float64
    if dt.kind in "iu":
        return int64
    if dt.kind == "b":
        return bool_
    raise TypeError(f"unsupported numpy dtype {dt}")


def promote(a: DType, b: DType) -> DType:
    """torch.promote_types for the dtypes gradlang has."""
    if a is b:
        return a
    if a.category != b.category:
        if a.category > b.category:
            return a
        return b
    if a.category == 2:
        return a if a.itemsize >= b.itemsize else b
    if a.category == 0:
        return a
    # integers: uint8 with a signed type widens
    if a is uint8 or b is uint8:
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if a.itemsize >= b.itemsize else b


def scalar_dtype(value: object) -> DType:
    """The dtype of a wrapped Python number: bool, int64, or the default float."""
    if value is True or value is False:
        return bool_
    if isinstance(value, int):
        return int64
    return DEFAULT_FLOAT


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    # ATen's combine_categories.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == 2:
        return higher
    if higher is bool_ or lower.category == 2:
        return promote(higher, lower)
    return higher


def result_type(dim: DType | None, zero: DType | None, wrapped: DType | None) -> DType:
    """ATen's result_type from the promoted dtypes of dimensioned, 0-dim and wrapped operands."""
    out = _combine(dim, _combine(zero, wrapped))
    assert out is not None
    return out
