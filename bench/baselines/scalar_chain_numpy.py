"""The scalar chain by hand in numpy: values saved on the way up, chain rule on the way down."""

import numpy as np

f32 = np.float32
x = np.array(0.5, dtype=f32)
grad = np.array(0.0, dtype=f32)
REPS = 100  # bench: size
for _rep in range(REPS):
    y = x
    saved = []
    for _i in range(50):
        saved.append(y)
        y = np.sin(y) * f32(0.9) + f32(0.1)
    g = np.array(1.0, dtype=f32)
    for s in reversed(saved):
        g = g * f32(0.9) * np.cos(s)
    grad = grad + g
print(f"y {float(y):.5f}")
print(f"grad {float(grad) / REPS:.4e}")
