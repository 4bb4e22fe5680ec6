#!/usr/bin/env python3
"""Replace one generated block of a Markdown file with what arrives on standard input.

    some-command | python3 scripts/docs_block.py docs/footprint.md training

A block is the lines between two HTML comments, invisible on GitHub:

    <!-- begin training: written by scripts/firmware.sh -->
    ...
    <!-- end training -->

The measuring scripts write their tables and figures this way, so that nothing in docs/ is
copied by hand; CI reruns the deterministic ones and fails on `git diff --exit-code`. The file
is rewritten only when the block changes; a missing or repeated marker is an error (exit 1)
and leaves the file as it was.
"""
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: python3 scripts/docs_block.py FILE NAME < CONTENT")
    path, name = sys.argv[1], sys.argv[2]
    body = sys.stdin.read()
    if body and not body.endswith("\n"):
        body += "\n"
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines(keepends=True)
    except OSError as e:
        sys.exit(f"{path}: {e.strerror}")
    begins = [i for i, l in enumerate(lines) if l.startswith(f"<!-- begin {name}:")]
    ends = [i for i, l in enumerate(lines) if l.rstrip("\n") == f"<!-- end {name} -->"]
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        sys.exit(f"{path}: expected one '<!-- begin {name}: ... -->' and, after it, one "
                 f"'<!-- end {name} -->' (found {len(begins)} and {len(ends)})")
    old = "".join(lines)
    new = "".join(lines[: begins[0] + 1] + [body] + lines[ends[0]:])
    if new != old:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        print(f"wrote {path} ({name})")


if __name__ == "__main__":
    main()
