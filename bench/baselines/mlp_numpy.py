"""The tiny MLP workload by hand in numpy: forward, hand-derived backward, SGD (the limit)."""

import numpy as np

rng = np.random.default_rng(0)
f32 = np.float32
X = rng.standard_normal((64, 8), dtype=f32)
Y = rng.standard_normal((64, 1), dtype=f32)
W1 = rng.standard_normal((8, 16), dtype=f32) * f32(0.3)
b1 = np.zeros(16, dtype=f32)
W2 = rng.standard_normal((16, 1), dtype=f32) * f32(0.3)
b2 = np.zeros(1, dtype=f32)
lr = f32(0.05)
STEPS = 200  # bench: size
for _step in range(STEPS):
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    diff = pred - Y
    loss = np.mean(diff * diff)
    dpred = diff * f32(2.0 / diff.size)
    dW2 = h.T @ dpred
    db2 = dpred.sum(0)
    dz1 = (dpred @ W2.T) * (f32(1.0) - h * h)
    dW1 = X.T @ dz1
    db1 = dz1.sum(0)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
print(f"loss {loss:.5f}")
