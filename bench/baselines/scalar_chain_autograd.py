"""The scalar chain on HIPS autograd."""

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad


def chain(v):
    for _i in range(50):
        v = anp.sin(v) * 0.9 + 0.1
    return v


step = value_and_grad(chain)
x = np.array(0.5, dtype=np.float32)
grad = 0.0
REPS = 100  # bench: size
for _rep in range(REPS):
    y, g = step(x)
    grad = grad + g
print(f"y {float(y):.5f}")
print(f"grad {float(grad) / REPS:.4e}")
