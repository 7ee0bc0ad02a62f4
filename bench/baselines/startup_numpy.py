"""The seed's computing-gradients example by hand in numpy (the derivative written out)."""

import numpy as np

rng = np.random.default_rng(0)
x = rng.standard_normal(3, dtype=np.float32)
print(f"x: {x}")
loss = (x**2).sum()
print(f"loss: {loss}")
grad = 2 * x
print(f"x.grad: {grad}")
print(f"Expected (2*x): {2 * x}")
print(f"Match: {np.allclose(grad, 2 * x)}")
