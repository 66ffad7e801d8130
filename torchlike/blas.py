"""(being written)"""


class BlasMixin:
    __slots__ = ()
