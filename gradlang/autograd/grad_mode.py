"""Grad modes: one global flag (`enabled`), and the context managers that set it."""

from __future__ import annotations

from types import TracebackType

enabled: bool = True


def is_grad_enabled() -> bool:
    """True when operations are being recorded for autograd."""
    return enabled


class _GradModeContext:
    """Base of the grad-mode context managers: remembers and restores the previous mode."""

    __slots__ = ("_mode", "_previous")

    def __init__(self, mode: bool) -> None:
        self._mode = mode
        self._previous = enabled

    def __enter__(self) -> None:
        global enabled
        self._previous = enabled
        enabled = self._mode

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global enabled
        enabled = self._previous

    def __repr__(self) -> str:
        return f"<torch.autograd.grad_mode.{type(self).__name__} object>"


#: What a program's `with` accepts: every grad-mode context manager derives from it.
GradModeContext = _GradModeContext


class no_grad(_GradModeContext):  # noqa: N801 - torch's name
    """`with no_grad():` turns recording off."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_GradModeContext):  # noqa: N801 - torch's name
    """`with enable_grad():` turns recording on."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(True)


class set_grad_enabled(_GradModeContext):  # noqa: N801 - torch's name
    """Sets the mode at once (as torch does); as a context manager, restores it on exit."""

    __slots__ = ()

    def __init__(self, mode: bool) -> None:
        global enabled
        super().__init__(bool(mode))
        self._previous = enabled
        enabled = bool(mode)

    def __enter__(self) -> None:
        global enabled
        enabled = self._mode


class set_detect_anomaly(_GradModeContext):  # noqa: N801 - torch's name
    """`with torch.autograd.set_detect_anomaly(True):` keeps the grad mode as it is; gradlang's
    diagnostics already name the line that made a failing node, so there is nothing to add."""

    __slots__ = ()

    def __init__(self, mode: bool = True, check_nan: bool = True) -> None:
        super().__init__(enabled)

    def __enter__(self) -> None:
        global enabled
        self._previous = enabled

    def __repr__(self) -> str:
        return f"<torch.autograd.anomaly_mode.{type(self).__name__} object>"


class detect_anomaly(set_detect_anomaly):  # noqa: N801 - torch's name
    """`with torch.autograd.detect_anomaly():`, as set_detect_anomaly(True)."""

    __slots__ = ()

    def __init__(self, check_nan: bool = True) -> None:
        from gradlang.autograd import warnings as _warnings

        super().__init__(True, check_nan)
        _warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging."
        )
