"""What gradlang adds to PyTorch's API: tools that show what autograd did.

`show`, `graph` (text, DOT and pictures), `explain` (the backward pass step by step), `why`
(why `x.grad` is what it is), `gradcheck`, `jacobian`, `hessian`, `vjp`, `jvp`, and hints
for autograd errors. Each lives in its own module; import from those modules directly.
"""
