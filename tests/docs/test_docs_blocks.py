"""Every ```python block of every docs/*.md page runs as written.

The blocks of one page run in order in one namespace, as a reader following the page would type
them, inside a fresh temporary working directory (files the examples write land there). Blocks
fenced as ```text, ```sh, ```lua, ... are shown, not run. A failure names the page, the block's
line in the .md and its first line, and the traceback points at lines of the .md file.
(README.md has its own test, tests/docs/test_readme.py.)
"""
import ast
import importlib
import os
import pathlib
import re
import sys
import tempfile
import textwrap
import traceback

import pytest

import nn
import torchlike as torch
from torchlike.serialization import registry

DOCS = pathlib.Path(__file__).resolve().parents[2] / 'docs'
PAGES = sorted(p.name for p in DOCS.glob('*.md'))
INDEX = 'README.md'
# pages other people are writing right now: the index may link to them before they exist
BEING_WRITTEN = {'nngraph.md', 'cuda.md'}

_FENCE = re.compile(r'^(`{3,}|~{3,})\s*([^\s`]*)')


class Block:
    def __init__(self, lang, line, code):
        self.lang = lang      # the fence's info word, '' when none
        self.line = line      # 1-based line of the block's first code line in the .md
        self.code = code

    @property
    def first_line(self):
        return next((s.strip() for s in self.code.splitlines() if s.strip()), '')


def fenced_blocks(text):
    """Every fenced block of a markdown text, in order. A fence closes with a line made of the
    same character, at least as long as the opening one (CommonMark)."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m.group(1), m.group(2).lower(), i + 1
        j = start
        while j < len(lines) and not (lines[j].strip().startswith(fence[0] * len(fence))
                                      and set(lines[j].strip()) == {fence[0]}):
            j += 1
        if j == len(lines):
            raise ValueError(f"unclosed ``` fence opened at line {i + 1}")
        blocks.append(Block(lang, start + 1, '\n'.join(lines[start:j]) + '\n'))
        i = j + 1
    return blocks


def python_blocks(path):
    return [b for b in fenced_blocks(pathlib.Path(path).read_text()) if b.lang == 'python']


def compile_block(path, block):
    """Compiled so that tracebacks and syntax errors name the .md file and its line numbers."""
    padded = '\n' * (block.line - 1) + block.code
    return compile(padded, str(path), 'exec')


class BlockFailed(Exception):
    """A block of a page raised; the message names the page, the block and the traceback."""


def run_page(path, folder):
    """Run the python blocks of the page at `path` in order, in one namespace, with the working
    directory `folder` (also put first on sys.path: a reader running `python` there can import
    a module file a block wrote). Whatever the blocks change that outlives the page is put back
    afterwards: the global generator, the default tensor type, the class registry, the modules
    imported from `folder`."""
    folder = str(folder)
    saved_cwd, saved_path = os.getcwd(), list(sys.path)
    modules_before = set(sys.modules)
    rng_state = torch.getRNGState()
    default_type = torch.getdefaulttensortype()
    registered_before = dict(registry._class_by_name)
    namespace = {'__name__': '__main__'}
    saved_tempdir = tempfile.tempdir
    tempfile.tempdir = folder          # pages that use tempfile.mkdtemp() leave nothing behind
    os.chdir(folder)
    sys.path.insert(0, folder)
    importlib.invalidate_caches()
    try:
        for block in python_blocks(path):
            try:
                exec(compile_block(path, block), namespace)
            except Exception:
                raise BlockFailed(f"{path}: the python block at line {block.line} "
                                  f"({block.first_line!r}) failed:\n"
                                  f"{traceback.format_exc()}") from None
    finally:
        os.chdir(saved_cwd)
        tempfile.tempdir = saved_tempdir
        sys.path[:] = saved_path
        torch.setRNGState(rng_state)
        torch.setdefaulttensortype(default_type)
        _forget_page_classes(registered_before, folder)
        for name in set(sys.modules) - modules_before:
            if _file_of(sys.modules[name]).startswith(folder):
                del sys.modules[name]      # another page may write a module of that name


def _file_of(module):
    return getattr(module, '__file__', None) or ''


def _forget_page_classes(before, folder):
    """Unregister the classes a page defined (an nn.Module subclass registers itself under
    its Torch name, possibly a library's name), giving such a name back to its former class."""
    def from_page(cls):
        return cls.__module__ == '__main__' or \
            _file_of(sys.modules.get(cls.__module__)).startswith(folder)

    with registry._lock:
        for name, cls in list(registry._class_by_name.items()):
            if from_page(cls):
                if name in before and not from_page(before[name]):
                    registry._class_by_name[name] = before[name]
                else:
                    del registry._class_by_name[name]
        for cls in [c for c in registry._entry_by_class if from_page(c)]:
            del registry._entry_by_class[cls]


# -- the parser itself ----------------------------------------------------------------------

def test_fenced_blocks_parser():
    text = ("intro\n```python\nx = 1\n\ny = 2\n```\n```lua\nlocal z = 3\n```\n"
            "````python\n```\nnot a fence end\n````\n```\nplain\n```\n")
    blocks = fenced_blocks(text)
    assert [(b.lang, b.line) for b in blocks] == [('python', 3), ('lua', 8), ('python', 11),
                                                  ('', 15)]
    assert blocks[0].code == 'x = 1\n\ny = 2\n'
    assert blocks[2].code == '```\nnot a fence end\n'
    with pytest.raises(ValueError, match='line 1'):
        fenced_blocks('```python\nx = 1\n')


# -- static checks ------------------------------------------------------------------------

@pytest.mark.parametrize('page', PAGES)
def test_python_blocks_are_valid_syntax(page):
    for block in python_blocks(DOCS / page):
        try:
            ast.parse(block.code)
        except SyntaxError as e:
            pytest.fail(f"docs/{page}: the python block at line {block.line} "
                        f"({block.first_line!r}) is not valid Python: {e.msg} at line "
                        f"{block.line + (e.lineno or 1) - 1}. Fence Lua or output as ```lua / "
                        f"```text.", pytrace=False)


def test_every_page_is_listed_in_the_index():
    index = (DOCS / INDEX).read_text()
    linked = set(re.findall(r'\]\(\s*(?:\./)?([^)\s#]+\.md)', index))
    missing = [p for p in PAGES if p != INDEX and p not in linked]
    assert not missing, f"docs/{INDEX} does not link to: {', '.join(missing)}"
    dangling = sorted(p for p in linked if not (DOCS / p).exists() and p not in BEING_WRITTEN)
    assert not dangling, f"docs/{INDEX} links to pages that do not exist: {', '.join(dangling)}"


# -- running the blocks -------------------------------------------------------------------

@pytest.mark.parametrize('page', PAGES)
def test_docs_page_runs(page, tmp_path):
    try:
        run_page(DOCS / page, tmp_path)
    except BlockFailed as e:
        pytest.fail(str(e), pytrace=False)


@pytest.mark.filterwarnings("ignore:.*as the class of")
def test_a_failing_block_is_named_and_the_session_is_restored(tmp_path):
    page = tmp_path / 'page.md'
    page.write_text(textwrap.dedent('''\
        # A page
        ```python
        import pathlib, torchlike as torch, nn
        pathlib.Path('helper_mod.py').write_text('VALUE = 3\\n')
        import helper_mod
        torch.setdefaulttensortype('torch.FloatTensor')
        torch.manualSeed(5)
        torch.rand(3)

        class Linear(nn.Module):      # takes over the Torch name nn.Linear
            pass
        ```
        Some text.
        ```lua
        this is not python
        ```
        ```python
        x = helper_mod.VALUE          # names from earlier blocks are visible

        y = x / 0
        ```
        '''))
    state = torch.getRNGState()
    expected_rand = torch.rand(2)
    torch.setRNGState(state)
    cwd = os.getcwd()
    with pytest.raises(BlockFailed) as info:
        run_page(page, tmp_path)
    message = str(info.value)
    assert "block at line 18 ('x = helper_mod.VALUE" in message
    assert f'File "{page}", line 20' in message and 'ZeroDivisionError' in message
    assert (tmp_path / 'helper_mod.py').exists() and 'helper_mod' not in sys.modules
    assert os.getcwd() == cwd and str(tmp_path) not in sys.path
    assert torch.getdefaulttensortype() == 'torch.DoubleTensor'
    assert registry.registeredClass('nn.Linear') is nn.Linear
    assert torch.equal(torch.rand(2), expected_rand)
