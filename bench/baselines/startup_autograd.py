"""The seed's computing-gradients example on HIPS autograd."""

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad

rng = np.random.default_rng(0)
x = rng.standard_normal(3).astype(np.float32)
print(f"x: {x}")
loss, grad = value_and_grad(lambda v: anp.sum(v**2))(x)
print(f"loss: {loss}")
print(f"x.grad: {grad}")
print(f"Expected (2*x): {2 * x}")
print(f"Match: {np.allclose(grad, 2 * x)}")
