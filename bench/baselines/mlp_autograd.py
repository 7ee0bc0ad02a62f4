"""The tiny MLP workload on HIPS autograd."""

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad

rng = np.random.default_rng(0)
f32 = np.float32
X = rng.standard_normal((64, 8), dtype=f32)
Y = rng.standard_normal((64, 1), dtype=f32)
params = [
    rng.standard_normal((8, 16), dtype=f32) * f32(0.3),
    np.zeros(16, dtype=f32),
    rng.standard_normal((16, 1), dtype=f32) * f32(0.3),
    np.zeros(1, dtype=f32),
]
lr = f32(0.05)


def mse(params):
    W1, b1, W2, b2 = params
    pred = anp.tanh(X @ W1 + b1) @ W2 + b2
    return anp.mean((pred - Y) ** 2)


step_fn = value_and_grad(mse)
STEPS = 200  # bench: size
for _step in range(STEPS):
    loss, grads = step_fn(params)
    params = [p - lr * g for p, g in zip(params, grads)]
print(f"loss {loss:.5f}")
