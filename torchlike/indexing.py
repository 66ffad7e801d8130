"""(being written)"""


class IndexMixin:
    __slots__ = ()
