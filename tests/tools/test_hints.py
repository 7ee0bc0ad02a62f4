"""Every autograd error of the reference (section 3) gets a hint; line numbers when known."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gradlang.tools.hints import hint_for

MESSAGES = [
    ("RuntimeError", "grad can be implicitly created only for scalar outputs"),
    ("RuntimeError", "element 0 of tensors does not require grad and does not have a grad_fn"),
    (
        "RuntimeError",
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward.",
    ),
    (
        "RuntimeError",
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a "
        "shape of torch.Size([3]).",
    ),
    ("RuntimeError", "can't retain_grad on Tensor that has requires_grad=False"),
    ("RuntimeError", "Only Tensors of floating point and complex dtype can require gradients"),
    ("RuntimeError", "only Tensors of floating point dtype can require gradients"),
    ("RuntimeError", "only Tensors of floating point and complex dtype can require gradients"),
    (
        "RuntimeError",
        "you can only change requires_grad flags of leaf variables. If you want to use a "
        "computed variable in a subgraph that doesn't require differentiation use "
        "var_no_grad = var.detach().",
    ),
    ("RuntimeError", "a leaf Variable that requires grad is being used in an in-place operation."),
    (
        "RuntimeError",
        "a view of a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    (
        "RuntimeError",
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [3]], which is output 0 of Add, is at version 1; "
        "expected version 0 instead. Hint: enable anomaly detection ...",
    ),
    (
        "RuntimeError",
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0",
    ),
    ("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
    (
        "RuntimeError",
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
        "elements, but got 3 and 4 elements respectively",
    ),
    ("RuntimeError", "size mismatch, got input (2), mat (2x3), vec (4)"),
    (
        "RuntimeError",
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].",
    ),
    ("RuntimeError", "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
    (
        "RuntimeError",
        "The differentiated Tensor at index 1 appears to not have been used in the graph. Set "
        "allow_unused=True if this is the desired behavior.",
    ),
    ("RuntimeError", "One of the differentiated Tensors does not require grad"),
    ("RuntimeError", "a Tensor with 3 elements cannot be converted to Scalar"),
    ("ValueError", "only one element tensors can be converted to Python scalars"),
    ("RuntimeError", "Boolean value of Tensor with more than one value is ambiguous"),
    (
        "RuntimeError",
        "view size is not compatible with input tensor's size and stride (at least one "
        "dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    ),
    ("RuntimeError", "shape '[4, -1]' is invalid for input of size 6"),
    ("IndexError", "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("IndexError", "index 5 is out of bounds for dimension 0 with size 3"),
    (
        "RuntimeError",
        "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 "
        "for tensor number 1 in the list.",
    ),
    ("RuntimeError", "stack expects each tensor to be equal size, but got [3] at entry 0"),
    (
        "RuntimeError",
        "attempting to assign a gradient of size '[2]' to a tensor of size '[3]'. Please "
        "ensure that the gradient and the tensor are the same size",
    ),
    ("RuntimeError", "derivative for aten::floor_divide is not implemented"),
    ("RuntimeError", "Jacobian mismatch for output 0 with respect to input 0,\nnumerical:..."),
]


@pytest.mark.parametrize(("type_name", "message"), MESSAGES)
def test_every_reference_error_has_a_hint(type_name: str, message: str) -> None:
    hint = hint_for(type_name, message)
    assert hint is not None and len(hint) > 20


def test_unknown_message_has_no_hint() -> None:
    assert hint_for("RuntimeError", "something nobody says") is None


@dataclass
class _Where:
    line: int


class _EngineError(RuntimeError):
    pass


def test_second_backward_names_the_freeing_line() -> None:
    err = _EngineError("x")
    err.freed_at = _Where(7)  # type: ignore[attr-defined]
    hint = hint_for("RuntimeError", MESSAGES[2][1], error=err)
    assert hint is not None and "line 7" in hint and "retain_graph=True" in hint


def test_inplace_names_modifying_and_saving_lines() -> None:
    err = _EngineError("x")
    err.saved_at = _Where(3)  # type: ignore[attr-defined]
    err.modified_at = _Where(4)  # type: ignore[attr-defined]
    hint = hint_for("RuntimeError", MESSAGES[11][1], error=err)
    assert hint is not None
    assert "line 3 saved" in hint and "line 4 then changed it in place" in hint


def test_matmul_hint_names_the_sizes() -> None:
    hint = hint_for("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")
    assert hint is not None and "here 3 and 4" in hint


def _error_of(source: str):
    from .conftest import run

    ran = run(source)
    assert ran.error is not None
    return ran.error


def test_program_second_backward_names_the_first_backward_line() -> None:
    err = _error_of(
        "x = torch.tensor([1., 2.], requires_grad=True)\nz = (x * x).sum()\n"
        "z.backward()\nz.backward()\n"
    )
    assert err.span.line == 4
    assert err.hint.startswith("The backward at line 3 freed")


def test_program_inplace_names_both_lines() -> None:
    err = _error_of(
        "x = torch.tensor([1., 2.], requires_grad=True)\ny = x * 1\nz = y * y\n"
        "y.add_(1)\nz.sum().backward()\n"
    )
    assert "line 3 saved this tensor" in err.hint
    assert "line 4 then changed it in place" in err.hint
