#!/usr/bin/env python3
"""doc_commands.py -- every `hpamp ...` command line the documentation shows,
classified, for tests/cli/docs.sh.

Usage: doc_commands.py HPAMP SRCDIR [--input NAME]...

Where commands are found:
  - README.md and docs/*.md: lines of fenced code blocks that start with
    `hpamp ` or `$ hpamp ` (a trailing backslash joins the next line), and
    inline code spans `hpamp ...` in the prose;
  - the --help texts: `hpamp --help`, `hpamp CMD --help` for every command
    it lists, and `hpamp CMD SUB --help` for every SUB a usage line of
    `hpamp CMD` names; in them, indented lines that start with `hpamp ` or
    `Usage: hpamp ` (a line at the margin is prose), and quoted or
    back-quoted `hpamp ...` in the prose.

The rule (one line each):
  - synopsis: the line has a placeholder -- an unquoted UPPERCASE word (FILE,
    DB, IN...), `[`, `]`, `|` or `...` outside quotes.  Not run: its command
    (and subcommand) must exist and each --option it names must be in that
    command's --help.  Inline code spans in prose are checked the same way.
  - example: any other line from a code block or a help text.  It is run (by
    docs.sh) and must exit 0, or N when its comment says `# exit N`.  Each
    argument that looks like a file (a path, or a name ending in an audio,
    text or image extension) and is not the value of -o/--output/-p/--plot/--compensation-eq
    must be one of the --input NAMEs (docs.sh's table of what stands for it).
  - bad: a line under a help text's `Examples:` heading that is a synopsis,
    an example whose quotes do not close, or a file-like argument with no
    entry in the table: the test fails and says which rule to follow.

Output: one record a line, fields separated by tabs:
  help     CMD          RC  STDOUT-BYTES  STDERR-BYTES
  example  WHERE        EXPECTED-EXIT  TEXT  ARGS (shell-quoted, without hpamp)
  synopsis WHERE        "ok" or why not  TEXT
  bad      WHERE        why  TEXT
"""
import glob
import os
import re
import shlex
import subprocess
import sys

FILE_EXT = re.compile(r"\.(flac|wav|mp3|ogg|opus|aiff?|txt|csv|ini|png|svg|json)$", re.I)
OUTPUT_OPTS = {"-o", "--output", "-p", "--plot", "--compensation-eq"}
PLACEHOLDER = re.compile(r"\[|\]|\||\.\.\.|\u2026|(?<![-\w./~])[A-Z]+(?!\w)")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def emit(*fields):
    print("\t".join(str(f).replace("\t", " ").replace("\n", " ") for f in fields))


def split_comment(line):
    """(command, comment): the comment starts at a '#' outside quotes after a space"""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def unquoted(text):
    return re.sub(r"'[^']*'|\"[^\"]*\"", "''", text)


def is_synopsis(cmd):
    return PLACEHOLDER.search(unquoted(cmd)) is not None


class Helps:
    """the --help texts, run once each"""

    def __init__(self, hpamp):
        self.hpamp = hpamp
        self.text = {}  # (cmd,) or (cmd, sub) or () -> stdout
        self.subs = {}  # cmd -> set of subcommands

    def run(self, words):
        key = tuple(words)
        if key not in self.text:
            p = subprocess.run([self.hpamp, *words, "--help"], capture_output=True, stdin=subprocess.DEVNULL,
                               timeout=60)
            out = p.stdout.decode("utf-8", "replace")
            emit("help", " ".join(["hpamp", *words, "--help"]), p.returncode, len(p.stdout), len(p.stderr))
            self.text[key] = out
        return self.text[key]

    def discover(self):
        top = self.run([])
        cmds, inside = [], False
        for line in top.splitlines():
            if line.strip() == "Commands:":
                inside = True
            elif inside and not line.strip():
                inside = False
            elif inside:
                m = re.match(r"\s+([a-z][a-z-]*)\s{2,}", line)
                if m:
                    cmds.append(m.group(1))
        for c in cmds:
            text = self.run([c])
            subs = set()
            for line in text.splitlines():
                m = re.match(r"\s*(?:Usage:)?\s*hpamp\s+" + re.escape(c) + r"\s+([a-z][a-z-]*)(?=\s|$)", line)
                if m:
                    subs.add(m.group(1))
            self.subs[c] = subs
            for s in sorted(subs):
                self.run([c, s])
        return cmds


def check_synopsis(helps, cmds, where, text):
    """every command, subcommand and --option named exists"""
    cmd, _ = split_comment(text)
    try:
        tokens = shlex.split(cmd)
    except ValueError:
        tokens = cmd.split()
    words = [t for t in tokens[1:2] if re.fullmatch(r"[a-z][a-z-]*", t)]
    why = "ok"
    key = ()
    if words:
        c = words[0]
        if c not in cmds:
            why = f"no command '{c}' in hpamp --help"
        else:
            key = (c,)
            alts = tokens[2].split("|") if len(tokens) > 2 else []
            if helps.subs.get(c) and alts and all(re.fullmatch(r"[a-z][a-z-]*", a) for a in alts):
                missing = [a for a in alts if a not in helps.subs[c]]
                if missing:
                    why = f"no subcommand '{missing[0]}' of hpamp {c}"
                elif len(alts) == 1:
                    key = (c, alts[0])
    if why == "ok":
        help_text = helps.text.get(key, "")
        for opt in OPTION.findall(unquoted(cmd)):
            if not re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", help_text):
                why = f"{opt} is not in {' '.join(['hpamp', *key, '--help'])}"
                break
    emit("synopsis", where, why, text)


def check_example(where, text, inputs, home):
    cmd, comment = split_comment(text)
    try:
        tokens = shlex.split(cmd)
    except ValueError as e:
        emit("bad", where, f"cannot split into arguments ({e})", text)
        return
    m = re.match(r"exit (\d+)\b", comment)
    expect = int(m.group(1)) if m else 0
    args = tokens[1:]
    for i, a in enumerate(args):
        if i > 0 and args[i - 1] in OUTPUT_OPTS:
            continue
        if (a.startswith(("~", "/", "./")) or FILE_EXT.search(a)) and a not in inputs:
            emit("bad", where, f"the input '{a}' has no entry in docs.sh's table of inputs", text)
            return
    args = [home + a[1:] if a.startswith("~/") else a for a in args]
    emit("example", where, expect, text, shlex.join(args))


def command_lines(lines):
    """(index, text) of the lines that start with hpamp (or $ hpamp), continuations joined"""
    i = 0
    while i < len(lines):
        s = lines[i].strip()
        if s.startswith("$ "):
            s = s[2:].lstrip()
        start = i
        if re.match(r"hpamp(\s|$)", s):
            while s.endswith("\\") and i + 1 < len(lines):
                i += 1
                s = s[:-1].rstrip() + " " + lines[i].strip()
            yield start, s
        i += 1


def main():
    hpamp, src = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    inputs = {rest[i + 1] for i in range(len(rest) - 1) if rest[i] == "--input"}
    home = os.environ.get("HOME", "")
    helps = Helps(hpamp)
    cmds = helps.discover()

    for path in [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md"))):
        rel = os.path.relpath(path, src)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        block, prose = [], []
        fenced = False
        for n, line in enumerate(lines, 1):
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            (block if fenced else prose).append((n, line))
        for k, text in command_lines([t for _, t in block]):
            where = f"{rel}:{block[k][0]}"
            if is_synopsis(text):
                check_synopsis(helps, cmds, where, text)
            else:
                check_example(where, text, inputs, home)
        joined = "\n".join(t for _, t in prose)
        for m in re.finditer(r"`(hpamp\s[^`]*)`", joined):
            line = prose[joined.count("\n", 0, m.start())][0]
            check_synopsis(helps, cmds, f"{rel}:{line}", " ".join(m.group(1).split()))

    for key, text in list(helps.text.items()):
        where = " ".join(["hpamp", *key, "--help"])
        lines = text.split("\n")
        examples, heading = set(), False
        for n, line in enumerate(lines):
            if line.strip() == "Examples:":
                heading = True
            elif heading and not line.strip():
                heading = False
            elif heading:
                examples.add(n)
        # commands are indented or follow Usage:; a line at the margin is prose
        cmd_lines = [re.sub(r"^Usage:", " ", ln) if re.match(r"Usage:|\s", ln) else "" for ln in lines]
        for k, t in command_lines(cmd_lines):
            w = f"{where}, line {k + 1}"
            if is_synopsis(t):
                if k in examples:
                    emit("bad", w, "a line under Examples: must run as it is (no placeholders)", t)
                else:
                    check_synopsis(helps, cmds, w, t)
            else:
                check_example(w, t, inputs, home)
        for m in re.finditer(r"[`'](hpamp\s[^`'\n]*)[`']", text):
            check_synopsis(helps, cmds, f"{where}, line {text.count(chr(10), 0, m.start()) + 1}", m.group(1))


if __name__ == "__main__":
    main()
