"""`torch.Size`: a tuple of ints that prints as `torch.Size([2, 3])`."""

from __future__ import annotations


class Size(tuple):
    """The shape of a tensor."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(int(s)) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):  # type: ignore[override]
        result = tuple.__getitem__(self, item)
        if isinstance(item, slice):
            return Size(result)
        return result

    def __add__(self, other):  # type: ignore[override]
        return Size(tuple.__add__(self, tuple(other)))
