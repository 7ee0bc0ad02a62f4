"""Where a node or an in-place change came from: an opaque value the runtime sets per statement.

Every node copies `current` at creation (`node.origin`); every in-place op stores it on the
tensor's version counter (`last_modified_at`). The engine never interprets it.
"""

from __future__ import annotations

current: object = None
