"""1000x1000 matmul, tanh, sum, backward by hand in numpy (the limit)."""

import numpy as np

rng = np.random.default_rng(0)
f32 = np.float32
A = rng.standard_normal((1000, 1000), dtype=f32)
B = rng.standard_normal((1000, 1000), dtype=f32) * f32(0.03)
grad = np.zeros_like(A)
ITERS = 4  # bench: size
for _it in range(ITERS):
    t = np.tanh(A @ B)
    loss = t.sum()
    grad += (f32(1.0) - t * t) @ B.T
print(f"loss {loss:.1f}")
print(f"grad {np.abs(grad).sum() / ITERS:.1f}")
