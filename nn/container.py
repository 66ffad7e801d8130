"""nn.Container: the base of every module that holds other modules in `self.modules`.

Positions are 0-based (`get(0)` is the first module). An exception raised inside a child is
re-raised with the path prepended — `In 2 module of nn.Sequential: In 0 module of
nn.ConcatTable: ...` — keeping its type and traceback.
"""
import torchlike as torch

from .module import Module


def prefix_error(err, i, container):
    """Prepend `In i module of <container>: ` to the message of exception `err` (in place)."""
    prefix = f"In {i} module of {container._typename}: "
    if err.args and isinstance(err.args[0], str):
        err.args = (prefix + err.args[0],) + err.args[1:]
    else:
        err.args = (prefix + str(err),) + err.args[1:] if err.args else (prefix.rstrip(': '),)
    return err


class Container(Module):
    _device_agnostic = True   # tensor methods only: runs on any device
    _typename = 'nn.Container'

    def __init__(self, *modules):
        super().__init__()
        self.modules = []
        for m in modules:
            self.add(m)

    def add(self, module):
        """Append a module; returns self so that calls chain."""
        if not isinstance(module, Module):
            raise TypeError(f"{self._typename}.add expects an nn module, got "
                            f"{type(module).__name__}")
        self.modules.append(module)
        return self

    def get(self, index):
        n = len(self.modules)
        if not -n <= index < n:
            raise IndexError(f"{self._typename}.get: index {index} is out of range for "
                             f"{n} modules (valid: {-n} to {n - 1})")
        return self.modules[index]

    def size(self):
        return len(self.modules)

    def __len__(self):
        return len(self.modules)

    def _call(self, i, fn, *args):
        """Run one child method, naming the child in any error."""
        try:
            return fn(*args)
        except Exception as e:
            raise prefix_error(e, i, self)

    @classmethod
    def _torchLoadFields(cls, fields, version):
        # an empty Lua table loads as a dict; a container's module list is a list
        if not fields.get('modules'):
            fields['modules'] = []
        return fields

    # -- propagation ------------------------------------------------------------------------
    def parameters(self):
        ws, gs = [], []
        for m in self.modules:
            w, g = m.parameters()
            ws.extend(w)
            gs.extend(g)
        return ws, gs

    def zeroGradParameters(self):
        for m in self.modules:
            m.zeroGradParameters()

    def updateParameters(self, learningRate):
        for m in self.modules:
            m.updateParameters(learningRate)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        raise NotImplementedError(f"{self._typename} implements accUpdateGradParameters in "
                                  f"its own way")

    def training(self):
        self.train = True
        for m in self.modules:
            m.training()
        return self

    def evaluate(self):
        self.train = False
        for m in self.modules:
            m.evaluate()
        return self

    def share(self, other, *names):
        if len(other.modules) != len(self.modules):
            raise ValueError(f"share: {self._typename} has {len(self.modules)} modules, the "
                             f"other container {len(other.modules)}")
        for i, (a, b) in enumerate(zip(self.modules, other.modules)):
            self._call(i, a.share, b, *names)
        return self

    def reset(self, stdv=None):
        for m in self.modules:
            m.reset(stdv)
        return self

    def clearState(self):
        for name in ('output', 'gradInput'):
            value = self.__dict__.get(name)
            if torch.isTensor(value):
                self.__dict__[name] = value.new()
            elif isinstance(value, list):
                self.__dict__[name] = []
        for m in self.modules:
            m.clearState()
        return self

    # -- printing ---------------------------------------------------------------------------
    def _tree(self):
        """The ConcatTable-style tree shared by Concat, ConcatTable, Parallel, ..."""
        tab, lines = '  ', [f"{self._typename} {{", '  input']
        n = len(self.modules)
        for i, m in enumerate(self.modules):
            last = i == n - 1
            head = tab + ('   `-> ' if last else '  |`-> ')
            cont = '\n' + tab + ('       ' if last else '  |    ')
            lines.append(f"{head}({i}): " + str(m).replace('\n', cont))
        lines.append(tab + '   ... -> output')
        lines.append('}')
        return '\n'.join(lines)

    def __repr__(self):
        return self._tree()


class Sequential(Container):
    """Modules applied one after another: the output of module i is the input of module i+1.
    `output` *is* the last module's output and `gradInput` the first module's (no copies)."""
    _device_agnostic = True   # tensor methods only: runs on any device

    def insert(self, module, index=None):
        """Insert `module` at position `index` (default: append)."""
        n = len(self.modules)
        index = n if index is None else index
        if not 0 <= index <= n:
            raise IndexError(f"Sequential.insert: position {index} is out of range "
                             f"(valid: 0 to {n})")
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.insert expects an nn module, got "
                            f"{type(module).__name__}")
        self.modules.insert(index, module)
        return self

    def remove(self, index=None):
        """Remove the module at `index` (default: the last one) and return self."""
        n = len(self.modules)
        index = n - 1 if index is None else index
        if not -n <= index < n:
            raise IndexError(f"Sequential.remove: index {index} is out of range for {n} modules")
        del self.modules[index]
        return self

    def updateOutput(self, input):
        cur, i = input, 0
        try:
            for i, m in enumerate(self.modules):
                cur = m.updateOutput(cur)
        except Exception as e:
            raise prefix_error(e, i, self)
        self.output = cur
        return cur

    def updateGradInput(self, input, gradOutput):
        mods = self.modules
        cur, i = gradOutput, len(mods) - 1
        try:
            for i in range(len(mods) - 1, 0, -1):
                cur = mods[i].updateGradInput(mods[i - 1].output, cur)
            i = 0
            if mods:
                cur = mods[0].updateGradInput(input, cur)
        except Exception as e:
            raise prefix_error(e, i, self)
        self.gradInput = cur
        return cur

    def accGradParameters(self, input, gradOutput, scale=1):
        mods = self.modules
        cur, i = gradOutput, len(mods) - 1
        try:
            for i in range(len(mods) - 1, 0, -1):
                mods[i].accGradParameters(mods[i - 1].output, cur, scale)
                cur = mods[i].gradInput
            i = 0
            if mods:
                mods[0].accGradParameters(input, cur, scale)
        except Exception as e:
            raise prefix_error(e, i, self)

    def backward(self, input, gradOutput, scale=1):
        """One pass from the last module to the first, each module's backward in turn."""
        mods = self.modules
        cur, i = gradOutput, len(mods) - 1
        try:
            for i in range(len(mods) - 1, 0, -1):
                cur = mods[i].backward(mods[i - 1].output, cur, scale)
            i = 0
            if mods:
                cur = mods[0].backward(input, cur, scale)
        except Exception as e:
            raise prefix_error(e, i, self)
        self.gradInput = cur
        return cur

    def accUpdateGradParameters(self, input, gradOutput, lr):
        mods = self.modules
        cur = gradOutput
        for i in range(len(mods) - 1, 0, -1):
            self._call(i, mods[i].accUpdateGradParameters, mods[i - 1].output, cur, lr)
            cur = mods[i].gradInput
        if mods:
            self._call(0, mods[0].accUpdateGradParameters, input, cur, lr)

    def __repr__(self):
        tab = '  '
        chain = ' -> '.join(['input'] + [f'({i})' for i in range(len(self.modules))] + ['output'])
        lines = [f"{self._typename} {{", f"{tab}[{chain}]"]
        for i, m in enumerate(self.modules):
            lines.append(f"{tab}({i}): " + str(m).replace('\n', '\n' + tab))
        lines.append('}')
        return '\n'.join(lines)
