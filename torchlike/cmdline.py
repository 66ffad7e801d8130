"""torch.CmdLine: Torch7's command-line parser (CmdLine.lua), with YAML configuration files.

    cmd = torch.CmdLine()
    cmd.text('Train a network')
    cmd.option('-lr', 0.1, 'learning rate')        # type inferred from the default: float
    cmd.option('-cuda', False, 'use the GPU')       # bool: a flag, or -cuda true / -cuda false
    cmd.argument('data', 'training data file')
    opt = cmd.parse(sys.argv[1:])                    # opt.lr == opt['lr']

Options are written `-name value` or `--name value` (or `--name=value`). A bool option alone
flips its default, as in Torch7; followed by `true`/`false` it takes that value.
`-config file.yaml` (or `parse(argv, config=...)`) sets values from a YAML mapping; the
precedence is defaults < config file < command line. `-h`, `-help` and `--help` print the
usage and raise SystemExit(0). Bad input raises CmdLineError (a ValueError) naming the option.
"""
import atexit
import difflib
import os
import sys
import time
import warnings

import yaml

__all__ = ['CmdLine', 'CmdLineError', 'Options']

_TYPES = {bool: bool, int: int, float: float, str: str,
          'bool': bool, 'boolean': bool, 'int': int, 'number': float, 'float': float,
          'str': str, 'string': str}
_TRUE, _FALSE = ('true',), ('false',)
_HELP_FLAGS = ('-h', '-help', '--help')


class CmdLineError(ValueError):
    """A command-line or configuration problem (unknown option, bad value, ...)."""


class Options(dict):
    """The result of `CmdLine.parse`: a dict whose keys are also attributes (`opt.lr`)."""
    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError("no option or argument named %r" % name) from None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        return list(super().__dir__()) + [k for k in self if isinstance(k, str)]


class _Entry:
    __slots__ = ('name', 'default', 'help', 'type', 'is_option')

    def __init__(self, name, default, help, type, is_option):
        self.name, self.default, self.help, self.type = name, default, help, type
        self.is_option = is_option

    @property
    def label(self):
        return ('-' + self.name) if self.is_option else ('<%s>' % self.name)


def _type_name(t):
    return t.__name__


def _show(value):
    """A value as shown in help texts and experiment names (bools as true/false)."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _from_text(text, typ):
    """Parse a command-line string as `typ`; raises ValueError on failure."""
    if typ is str:
        return text
    if typ is bool:
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(text)
    return typ(text)


def _from_yaml(value, typ):
    """Coerce a value read from YAML to `typ`; raises ValueError when it does not fit."""
    if isinstance(value, str):
        return _from_text(value, typ)        # also handles pyyaml reading '1e-3' as a string
    if typ is bool:
        if isinstance(value, bool):
            return value
    elif typ is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif typ is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif typ is str:
        if isinstance(value, (int, float)):
            return _show(value)
    raise ValueError(value)


def _looks_like_number(tok):
    try:
        float(tok)
        return True
    except ValueError:
        return False


def _yaml_value(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if hasattr(v, 'item') and callable(v.item):      # numpy scalars
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_yaml_value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _yaml_value(x) for k, x in v.items()}
    return str(v)


class CmdLine:
    """`torch.CmdLine([argseparator=','], [keyseparator='='])`: declare options and
    arguments, then `parse(argv)`."""

    def __init__(self, argseparator=',', keyseparator='='):
        self.argseparator = argseparator
        self.keyseparator = keyseparator
        self.options = {}          # name (without dashes) -> _Entry
        self.arguments = []        # positional _Entry objects, in order
        self.helplines = []        # text lines and entries, in declaration order
        self.dateformat = None
        self.timename = None
        self.silentio = False
        self._tee = None
        self._atexit = False

    # -- declaration ------------------------------------------------------------------------
    def text(self, txt=''):
        """A line of free text in the help output."""
        if not isinstance(txt, str):
            raise TypeError("CmdLine.text expects a string, got %s" % type(txt).__name__)
        self.helplines.append(txt)

    def option(self, key, default, help='', type=None):
        """Declare `-name` with a default; its type is the default's (bool, int, float, str)
        unless `type` is given (a Python type or a Torch7 name like 'number')."""
        name = self._new_name(key)
        if type is None:
            if default is None:
                raise ValueError("option %s has no default value (give one, or a type)" % key)
            type = default.__class__
        typ = _TYPES.get(type)
        if typ is None:
            raise TypeError("option %s: unsupported type %r (use bool, int, float or str)"
                            % (key, type))
        if default is not None:
            if typ is float and isinstance(default, int) and not isinstance(default, bool):
                default = float(default)
            if not isinstance(default, typ) or (typ is int and isinstance(default, bool)):
                raise TypeError("option %s has a default of the wrong type: %r is not %s"
                                % (key, default, _type_name(typ)))
        entry = _Entry(name, default, help, typ, True)
        self.options[name] = entry
        self.helplines.append(entry)

    def argument(self, key, help='', type=str):
        """Declare a positional argument (required; converted to `type`: str, int or float)."""
        name = self._new_name(key)
        typ = _TYPES.get(type)
        if typ is None or typ is bool:
            raise TypeError("argument %s: unsupported type %r (use str, int or float)"
                            % (key, type))
        entry = _Entry(name, None, help, typ, False)
        self.arguments.append(entry)
        self.helplines.append(entry)

    def _new_name(self, key):
        if not isinstance(key, str):
            raise TypeError("option and argument names are strings, got %r" % (key,))
        name = key.lstrip('-')
        if not name:
            raise ValueError("empty option or argument name %r" % key)
        if name in self.options or any(a.name == name for a in self.arguments):
            raise ValueError("option or argument %r is declared twice" % name)
        return name

    def silent(self):
        """After `log()`, write printed text to the log file only, not to the screen."""
        self.silentio = True

    def addTime(self, name=None, format='%Y-%m-%d %H:%M:%S'):
        """Prefix every line of the log file with the date (strftime `format`) and `[name]: `."""
        if not isinstance(format, str):
            raise TypeError("CmdLine.addTime: format has to be a string")
        self.dateformat = format
        self.timename = name

    # -- parsing ----------------------------------------------------------------------------
    def default(self):
        """The options with their default values."""
        return Options((name, e.default) for name, e in self.options.items())

    def error(self, msg):
        raise CmdLineError(msg)

    def parse(self, argv=None, config=None):
        """Parse `argv` (default `sys.argv[1:]`) into Options. `config` is a YAML file path or
        a mapping of option/argument values that replace the defaults; a `-config path` on
        the command line is applied after it, and command-line values win over both."""
        if argv is None:
            argv = sys.argv[1:]
        tokens = [a if isinstance(a, str) else str(a) for a in argv]
        given, positional, config_file = {}, [], None
        k, only_positional = 0, False
        while k < len(tokens):
            tok = tokens[k]
            k += 1
            if only_positional or tok == '-' or not tok.startswith('-') or \
                    _looks_like_number(tok):
                positional.append(tok)
                continue
            if tok == '--':
                only_positional = True
                continue
            name, eq, inline = tok[2 if tok.startswith('--') else 1:].partition('=')
            entry = self.options.get(name)
            if entry is None and tok in _HELP_FLAGS:
                self.help()
                raise SystemExit(0)
            if entry is None and name == 'config':
                if eq:
                    config_file = inline
                elif k < len(tokens):
                    config_file, k = tokens[k], k + 1
                else:
                    self.error("missing value for option -config (expected a YAML file path)")
                continue
            if entry is None:
                self.error("unknown option %s%s" % (tok.partition('=')[0], self._did_you_mean(name)))
            if eq:
                text = inline
            elif entry.type is bool:
                if k < len(tokens) and tokens[k].lower() in _TRUE + _FALSE:
                    text, k = tokens[k], k + 1
                else:
                    given[name] = not entry.default
                    continue
            elif k < len(tokens):
                text, k = tokens[k], k + 1
            else:
                self.error("missing value for option -%s (expected %s)"
                           % (name, _type_name(entry.type)))
            given[name] = self._convert(entry, text, _from_text, '')

        params = self.default()
        for source in (config, config_file):
            if source is not None:
                params.update(self._read_config(source))
        if len(positional) > len(self.arguments):
            extra = positional[len(self.arguments)]
            self.error("unexpected argument %r (expected %d argument%s%s)"
                       % (extra, len(self.arguments), '' if len(self.arguments) == 1 else 's',
                          ': ' + ' '.join(a.label for a in self.arguments)
                          if self.arguments else ''))
        for entry, text in zip(self.arguments, positional):
            params[entry.name] = self._convert(entry, text, _from_text, '')
        missing = [a.label for a in self.arguments if a.name not in params]
        if missing:
            self.error("missing argument%s %s" % ('' if len(missing) == 1 else 's',
                                                   ' '.join(missing)))
        params.update(given)
        # arguments after options, in declaration order
        ordered = Options((name, params[name]) for name in self.options)
        ordered.update((a.name, params[a.name]) for a in self.arguments)
        return ordered

    def _did_you_mean(self, name):
        close = [n for n in self.options if name and (n.startswith(name) or name.startswith(n))]
        close += [n for n in difflib.get_close_matches(name, list(self.options), n=2, cutoff=0.6)
                  if n not in close]
        close = close[:2]
        return " (did you mean %s?)" % ' or '.join('-' + n for n in close) if close else ''

    def _convert(self, entry, value, parse, where):
        try:
            return parse(value, entry.type)
        except (ValueError, TypeError):
            kind = 'option' if entry.is_option else 'argument'
            self.error("invalid value %r for %s %s%s (expected %s)"
                       % (value, kind, entry.label, where, _type_name(entry.type)))

    def _read_config(self, source):
        """Values from a YAML file path or a mapping, checked against the declarations."""
        if isinstance(source, (str, os.PathLike)):
            where = " in config file %s" % os.fspath(source)
            try:
                with open(source, 'r', encoding='utf-8') as f:
                    data = yaml.safe_load(f)
            except OSError as e:
                self.error("cannot read config file %s: %s" % (os.fspath(source), e.strerror or e))
            except yaml.YAMLError as e:
                self.error("config file %s is not valid YAML: %s" % (os.fspath(source), e))
        else:
            where, data = " in config", source
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.error("config%s must be a mapping of option names to values, got %s"
                       % (where.replace(' in config', ''), type(data).__name__))
        entries = dict(self.options)
        entries.update((a.name, a) for a in self.arguments)
        unknown = [str(key) for key in data if str(key).lstrip('-') not in entries]
        if unknown:
            self.error("unknown key%s %s%s (known: %s)"
                       % ('' if len(unknown) == 1 else 's', ', '.join(unknown), where,
                          ', '.join(entries) or 'none'))
        out = {}
        for key, value in data.items():
            entry = entries[str(key).lstrip('-')]
            out[entry.name] = self._convert(entry, value, _from_yaml, where)
        return out

    # -- experiment names -------------------------------------------------------------------
    def string(self, prefix='', params=None, ignore=None):
        """Torch7's experiment-name builder: `prefix` then, joined by ',', the arguments as
        `name=value` (declaration order) and the options that differ from their defaults
        (sorted). `ignore` names keys to leave out (a set, list or {name: True}); a dict entry
        {name: False} forces an option in even when it has its default value."""
        if params is None:
            params = {}
        if ignore is None:
            ignore = {}
        elif not isinstance(ignore, dict):
            ignore = {name: True for name in ignore}
        kv = self.keyseparator
        args, opts = {}, []
        positions = {a.name: i for i, a in enumerate(self.arguments)}
        for name, value in params.items():
            if ignore.get(name):
                continue
            if name in self.options:
                if value != self.options[name].default or ignore.get(name, None) is False:
                    opts.append(name + kv + self._name_value(value))
            elif name in positions:
                args[positions[name]] = name + kv + self._name_value(value)
            else:
                warnings.warn("CmdLine.string: unknown option/argument %r, left out of the name"
                              % name, stacklevel=2)
        opts.sort()
        parts = [args[i] for i in sorted(args)] + opts
        body = self.argseparator.join(parts)
        return prefix + self.argseparator + body if body else prefix

    @staticmethod
    def _name_value(v):
        if isinstance(v, bool):
            return 't' if v else 'f'
        if isinstance(v, float):
            return '%.14g' % v          # Lua's number formatting: 0.1, 1e-05, 2
        return str(v)

    # -- logging ----------------------------------------------------------------------------
    def log(self, file, params=None):
        """Copy everything printed from now on into `file` (a path or an open text file),
        write a header with the date and `params`, and save `params` as YAML beside a log
        given by path (`run/log.txt` -> `run/log.yaml`). `closeLog()` stops the copying."""
        self.closeLog()
        if isinstance(file, (str, os.PathLike)):
            path = os.fspath(file)
            folder = os.path.dirname(path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            f, owns = open(path, 'w', encoding='utf-8'), True
        else:
            f, owns = file, False
            path = getattr(file, 'name', None)
            path = path if isinstance(path, str) and os.path.isfile(path) else None
        self._tee = _LogTee(sys.stdout, f, owns, self)
        sys.stdout = self._tee
        if not self._atexit:
            atexit.register(self.closeLog)      # write a last partial line at exit
            self._atexit = True
        print('[program started on %s]' % time.strftime('%a %b %d %H:%M:%S %Y'))
        print('[command line arguments]')
        if params:
            for k, v in params.items():
                print(k, _show(v))
        print('[----------------------]')
        if params is not None and path is not None:
            self.save(self.yamlPath(path), params)

    @staticmethod
    def yamlPath(logpath):
        """Where `log(logpath, params)` writes the options: the log's name with `.yaml`."""
        base, ext = os.path.splitext(logpath)
        return base + '.yaml' if ext != '.yaml' else logpath + '.yaml'

    def save(self, path, params):
        """Write `params` as YAML (loadable again with `-config path`)."""
        folder = os.path.dirname(os.fspath(path))
        if folder:
            os.makedirs(folder, exist_ok=True)
        data = {str(k): _yaml_value(v) for k, v in params.items()}
        with open(path, 'w', encoding='utf-8') as f:
            yaml.safe_dump(data, f, default_flow_style=False, sort_keys=False)
        return path

    def closeLog(self):
        """Stop copying printed text into the log file (restores sys.stdout)."""
        tee, self._tee = self._tee, None
        if tee is None:
            return
        if sys.stdout is tee:
            sys.stdout = tee.stream
        tee.close()

    # -- help -------------------------------------------------------------------------------
    def usage(self):
        """The help text, as Torch7's CmdLine:help() prints it."""
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else 'program'
        lines = ['Usage: %s [options]%s' % (prog, ''.join(' ' + a.label for a in self.arguments))]
        entries = [e for e in self.helplines if not isinstance(e, str)]
        config_line = 'config' not in self.options
        width = max([len(e.label) for e in entries] + [len('-config') if config_line else 0])
        for e in self.helplines:
            if isinstance(e, str):
                lines.append(e)
                continue
            line = '  ' + e.label.ljust(width)
            if e.help:
                line += ' ' + e.help
            if e.is_option:
                line += ' [%s]' % _show(e.default)
            lines.append(line)
        if config_line:
            lines.append('  ' + '-config'.ljust(width) + ' YAML file of option values')
        return '\n'.join(lines) + '\n'

    def help(self, file=None):
        """Print the usage text (to stdout unless `file` is given)."""
        (file or sys.stdout).write(self.usage())


class _LogTee:
    """sys.stdout while a log is open: text goes to the original stream (unless the CmdLine
    is silent) and, line by line, to the log file. A line redrawn with '\\r' (progress bars)
    reaches the file only in its final state."""

    def __init__(self, stream, file, owns_file, cmd):
        self.stream = stream
        self.file = file
        self.owns_file = owns_file
        self.cmd = cmd
        self.pending = ''
        self.closed = False

    def write(self, text):
        if not self.cmd.silentio:
            self.stream.write(text)
        if self.closed:
            return len(text)
        lines = (self.pending + text).split('\n')
        self.pending = lines.pop()
        if '\r' in self.pending:
            self.pending = self.pending.rpartition('\r')[2]
        if lines:
            self.file.write(''.join(self._prefix() + line.rstrip('\r').rpartition('\r')[2]
                                    + '\n' for line in lines))
            self.file.flush()
        return len(text)

    def _prefix(self):
        if self.cmd.dateformat is None:
            return ''
        stamp = time.strftime(self.cmd.dateformat)
        return stamp + ('[%s]: ' % self.cmd.timename if self.cmd.timename else ' ')

    def flush(self):
        if not self.cmd.silentio:
            self.stream.flush()
        if not self.closed:
            self.file.flush()

    def isatty(self):
        return (not self.cmd.silentio) and bool(getattr(self.stream, 'isatty', lambda: False)())

    def close(self):
        if self.closed:
            return
        if self.pending:
            self.file.write(self._prefix() + self.pending + '\n')
            self.pending = ''
        self.file.flush()
        if self.owns_file:
            self.file.close()
        self.closed = True

    def __getattr__(self, name):          # encoding, fileno, ... of the real stream
        return getattr(self.stream, name)
