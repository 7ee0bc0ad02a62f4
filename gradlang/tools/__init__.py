"""What gradlang adds to PyTorch's API: tools that show what autograd did.

`show`, `graph` (text, DOT and pictures), `explain` (the backward pass step by step), `why`
(why `x.grad` is what it is), `gradcheck`, `jacobian`, `hessian`, `vjp`, `jvp`, and hints
for autograd errors. Each lives in its own module; import from those modules directly.

Importing this package registers the tools as builtins of gradlang programs
(`program_builtins.register_all`), so any session that uses the tools has them.
"""


def _register() -> None:
    try:
        from gradlang.tools import program_builtins  # noqa: F401  (registers on import)
    except ImportError:  # the engine or the runtime is not importable: no program builtins
        pass


_register()
