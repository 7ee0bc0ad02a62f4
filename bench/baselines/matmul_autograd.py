"""1000x1000 matmul, tanh, sum, backward on HIPS autograd."""

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad

rng = np.random.default_rng(0)
f32 = np.float32
A = rng.standard_normal((1000, 1000), dtype=f32)
B = rng.standard_normal((1000, 1000), dtype=f32) * f32(0.03)
step = value_and_grad(lambda a: anp.sum(anp.tanh(a @ B)))
grad = np.zeros_like(A)
ITERS = 4  # bench: size
for _it in range(ITERS):
    loss, g = step(A)
    grad += g
print(f"loss {loss:.1f}")
print(f"grad {np.abs(grad).sum() / ITERS:.1f}")
