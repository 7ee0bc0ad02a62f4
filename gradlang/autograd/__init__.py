"""gradlang's autograd engine: tensors on numpy, graph recording, the backward engine, the
derivative table, PyTorch-exact RNG and printing. Knows nothing of syntax or the runtime.

`gradlang.autograd.api` holds the names programs reach (`TORCH`, `FUNCTIONAL`).
"""

from __future__ import annotations

import numpy as _np

# Programs see PyTorch's behaviour (inf/nan results), never numpy's floating-point warnings.
_np.seterr(all="ignore")

from gradlang.autograd import api as api  # noqa: E402
from gradlang.autograd.tensor import Tensor as Tensor  # noqa: E402

__all__ = ["Tensor", "api"]
